//! People on (or proposed for) the scheme, with their aliases, address history and risk-to-staff markers.

use crate::columns::{
    code, create_table, drop_tables, foreign_key, id, index, instant, optional_code,
    optional_instant, optional_reference, reference,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, date, date_null, integer, string, string_len_null, string_null, text_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("people")
                .col(id())
                .col(string("given_name"))
                .col(string("family_name"))
                .col(date("date_of_birth"))
                .col(string_len_null("pnc_id", 16).unique_key())
                .col(string_len_null("crn", 7).unique_key())
                .col(string_len_null("mobile", 16))
                .col(string_len_null("email", 254))
                .col(code("language"))
                .col(boolean("sms_consent"))
                .col(boolean("email_consent"))
                .col(optional_instant("sms_opted_out_at"))
                .col(optional_code("tier"))
                .col(optional_code("rosh"))
                .col(optional_code("mappa_level"))
                .col(string_null("photo_ref"))
                .col(boolean("wanted").default(false))
                // The current cohort position, denormalised from `memberships` so that searches and
                // caseloads filter with an index instead of a subquery per person.
                .col(optional_code("cohort_status"))
                .col(optional_code("strand"))
                .col(integer("version"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .to_owned(),
            vec![
                index("people", &["family_name", "given_name"]),
                index("people", &["cohort_status", "strand"]),
                index("people", &["mobile"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("person_aliases")
                .col(id())
                .col(reference("person_id"))
                .col(string("given_name"))
                .col(string("family_name"))
                .col(instant("created_at"))
                .foreign_key(&mut foreign_key("person_aliases", "person_id", "people"))
                .to_owned(),
            vec![index("person_aliases", &["person_id"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("addresses")
                .col(id())
                .col(reference("person_id"))
                .col(string("line1"))
                .col(string_null("line2"))
                .col(string("town"))
                .col(string_len_null("postcode", 10))
                .col(date("from_date"))
                .col(date_null("to_date"))
                .foreign_key(&mut foreign_key("addresses", "person_id", "people"))
                .to_owned(),
            vec![index("addresses", &["person_id", "from_date"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("risk_markers")
                .col(id())
                .col(reference("person_id"))
                .col(code("marker"))
                .col(text_null("notes"))
                .col(optional_reference("created_by"))
                .col(instant("created_at"))
                .col(optional_instant("ended_at"))
                .foreign_key(&mut foreign_key("risk_markers", "person_id", "people"))
                .to_owned(),
            vec![index("risk_markers", &["person_id"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &["risk_markers", "addresses", "person_aliases", "people"],
        )
        .await
    }
}
