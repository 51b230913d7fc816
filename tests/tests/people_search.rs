//! The people list and search (`GET /api/v1/people`): PNC ID and CRN exact, names by prefix (family name;
//! given then family; "family, given"), filters, pagination, the capped total, bad searches, partner scope.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::{Value, json};
use vigil_domain::pnc_check_letter;
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::TransactionTrait;
use vigil_persistence::repositories::people::{self, NewPerson, SEARCH_TOTAL_CAP};

/// A valid long-form PNC ID.
fn pnc(year: u32, serial: u32) -> String {
    format!("{year}/{serial:07}{}", pnc_check_letter(year, serial))
}

/// `/api/v1/people?…` with each pair URL-encoded.
fn people_path(pairs: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse("http://vigil.test/api/v1/people").unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    format!("/api/v1/people?{}", url.query().unwrap_or_default())
}

/// The page for these parameters; panics unless it answers 200.
async fn search(app: &TestApp, user: &TestUser, pairs: &[(&str, &str)]) -> Value {
    let (status, body) = app.get_json(&people_path(pairs), user).await;
    assert_eq!(status, 200, "{pairs:?}: {body}");
    body
}

/// "Given Family" of each person on the page, in order.
fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["given_name"].as_str().unwrap(),
                p["family_name"].as_str().unwrap()
            )
        })
        .collect()
}

/// The names found by `q`.
async fn found(app: &TestApp, user: &TestUser, q: &str) -> Vec<String> {
    names(&search(app, user, &[("q", q)]).await)
}

#[tokio::test]
async fn names_match_by_prefix_in_every_form_whatever_the_case_and_spacing() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    for (given, family) in [
        ("John", "Smith"),
        ("Mary Ann", "Smith"),
        ("Joanne", "Smithson"),
        ("Jo", "Smythe"),
        ("Siân", "O’Brien"),
        ("Gwenllïan", "ap Rhys"),
        ("Zoë", "Łukasiewicz"),
        ("Ann", "Smith-Jones"),
        ("J. R.", "Hartley"),
    ] {
        app.person(&manager, given, family).await;
    }

    // One word: the start of a family name, in family name then given name order.
    let smiths = [
        "John Smith",
        "Mary Ann Smith",
        "Ann Smith-Jones",
        "Joanne Smithson",
    ];
    assert_eq!(found(&app, &manager, "smi").await, smiths);
    assert_eq!(found(&app, &manager, "  SMITH ").await, smiths);
    assert_eq!(found(&app, &manager, "sm").await.len(), 5, "Smythe too");
    assert_eq!(found(&app, &manager, "smith-j").await, ["Ann Smith-Jones"]);
    assert!(
        found(&app, &manager, "mith").await.is_empty(),
        "a prefix search, not a substring search"
    );
    assert!(
        found(&app, &manager, "john").await.is_empty(),
        "one word is a family name"
    );

    // Several words: given name(s), then the start of the family name.
    assert_eq!(found(&app, &manager, "john smi").await, ["John Smith"]);
    assert_eq!(
        found(&app, &manager, "JO   smi").await,
        ["John Smith", "Joanne Smithson"]
    );
    assert_eq!(
        found(&app, &manager, "mary ann smith").await,
        ["Mary Ann Smith"]
    );
    assert_eq!(found(&app, &manager, "mary a sm").await, ["Mary Ann Smith"]);
    assert!(found(&app, &manager, "ann smithson").await.is_empty());

    // Comma: family name first, which also reaches family names with spaces.
    assert_eq!(
        found(&app, &manager, "smith, jo").await,
        ["John Smith", "Joanne Smithson"]
    );
    assert_eq!(
        found(&app, &manager, " Smith ,MARY ").await,
        ["Mary Ann Smith"]
    );
    assert_eq!(
        found(&app, &manager, "ap rhys, gw").await,
        ["Gwenllïan ap Rhys"]
    );
    assert_eq!(found(&app, &manager, "smythe,").await, ["Jo Smythe"]);

    // Accented letters ignore case too; apostrophes (straight or curly) and full stops do not matter.
    assert_eq!(found(&app, &manager, "łuk").await, ["Zoë Łukasiewicz"]);
    assert_eq!(found(&app, &manager, "zoë ŁUKA").await, ["Zoë Łukasiewicz"]);
    for q in ["obri", "O'Brien", "o’brien", "siân o'b"] {
        assert_eq!(found(&app, &manager, q).await, ["Siân O’Brien"], "{q}");
    }
    for q in ["j. r. hartley", "j r hart", "hartley, j.r", "J.R. Hartley"] {
        assert_eq!(found(&app, &manager, q).await, ["J. R. Hartley"], "{q}");
    }
}

#[tokio::test]
async fn a_renamed_person_is_found_by_the_new_name_only() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let id = app.person(&manager, "Casey", "Whitby").await;
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/people/{id}"),
            &manager,
            json!({"family_name": "Ó Súilleabháin", "given_name": "Cáit"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(found(&app, &manager, "whit").await.is_empty());
    assert_eq!(
        found(&app, &manager, "ó súill, cá").await,
        ["Cáit Ó Súilleabháin"]
    );
    assert_eq!(
        found(&app, &manager, "cáit ó").await,
        ["Cáit Ó Súilleabháin"]
    );
}

#[tokio::test]
async fn search_filters_by_name_pnc_strand_status_and_allocation_with_pagination() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let manager = app.user("offender_manager", None).await;
    let wanted_pnc = pnc(2011, 777);
    let whitfield = app
        .person_with(
            &coordinator,
            "Jordan",
            "Whitfield",
            json!({"pnc_id": wanted_pnc, "crn": "B222222"}),
        )
        .await;
    let whitby = app.person(&coordinator, "Casey", "Whitby").await;
    let adams = app.person(&coordinator, "Whitney", "Adams").await;
    app.person(&coordinator, "Alex", "Brown").await;
    app.person(&coordinator, "Robin", "Cole").await;

    // Cohort positions: Whitfield and Adams proposed to catch & convict; Whitby to prevent & deter.
    for (id, strand) in [
        (whitfield, "catch_convict"),
        (adams, "catch_convict"),
        (whitby, "prevent_deter"),
    ] {
        let (status, body) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{id}/membership"),
                &coordinator,
                json!({"action": "propose", "strand": strand}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    app.allocate(&coordinator, whitby, manager.id, "offender_manager")
        .await;

    // Name: family names starting with the search (Whitney Adams's given name does not count).
    let page = search(&app, &manager, &[("q", "WHIT")]).await;
    assert_eq!(names(&page), ["Casey Whitby", "Jordan Whitfield"]);
    assert_eq!(
        (&page["total"], &page["total_capped"]),
        (&json!(2), &json!(false))
    );
    let page = search(&app, &manager, &[("q", "whitf")]).await;
    assert_eq!(page["items"][0]["id"], whitfield.to_string());
    assert_eq!(page["items"][0]["pnc_id"], wanted_pnc.as_str());
    assert_eq!(page["items"][0]["status"], "proposed");
    assert_eq!(page["items"][0]["strand"], "catch_convict");

    // PNC ID in long form, short form and lower case; CRN in any case: exactly that person.
    for q in [
        wanted_pnc.clone(),
        wanted_pnc[2..].to_owned(),
        wanted_pnc.to_lowercase(),
        format!(" {wanted_pnc} "),
        "b222222".to_owned(),
        "B222222".to_owned(),
    ] {
        assert_eq!(
            found(&app, &manager, &q).await,
            ["Jordan Whitfield"],
            "q={q}"
        );
    }
    assert!(found(&app, &manager, &pnc(2011, 778)).await.is_empty());
    assert!(found(&app, &manager, "B222223").await.is_empty());

    // Strand, status, allocation, and combinations with a name.
    let filtered = |pairs: &'static [(&'static str, &'static str)]| {
        let (app, manager) = (&app, &manager);
        async move { names(&search(app, manager, pairs).await) }
    };
    assert_eq!(
        filtered(&[("strand", "catch_convict")]).await,
        ["Whitney Adams", "Jordan Whitfield"]
    );
    assert_eq!(filtered(&[("status", "proposed")]).await.len(), 3);
    assert!(filtered(&[("status", "adopted")]).await.is_empty());
    assert_eq!(
        filtered(&[("strand", "catch_convict"), ("q", "whit")]).await,
        ["Jordan Whitfield"]
    );
    assert_eq!(
        filtered(&[("status", "proposed"), ("q", "w"), ("allocated_to", "me")]).await,
        ["Casey Whitby"]
    );
    assert!(
        filtered(&[("strand", "catch_convict"), ("allocated_to", "me")])
            .await
            .is_empty()
    );
    let by_id = manager.id.to_string();
    let page = search(
        &app,
        &coordinator,
        &[("allocated_to", by_id.as_str()), ("q", "whitby")],
    )
    .await;
    assert_eq!(names(&page), ["Casey Whitby"]);
    assert_eq!(
        search(&app, &coordinator, &[("allocated_to", "me")]).await["total"],
        0
    );

    // Pagination: five people, two a page; with a name, too.
    let page = search(&app, &manager, &[("per_page", "2")]).await;
    assert_eq!(
        (
            &page["page"],
            &page["per_page"],
            &page["total"],
            &page["total_capped"]
        ),
        (&json!(1), &json!(2), &json!(5), &json!(false))
    );
    assert_eq!(names(&page), ["Whitney Adams", "Alex Brown"]);
    let page = search(&app, &manager, &[("per_page", "2"), ("page", "2")]).await;
    assert_eq!(names(&page), ["Robin Cole", "Casey Whitby"]);
    let page = search(&app, &manager, &[("per_page", "2"), ("page", "3")]).await;
    assert_eq!(
        (names(&page), &page["total"]),
        (vec!["Jordan Whitfield".to_owned()], &json!(5))
    );
    let page = search(&app, &manager, &[("per_page", "2"), ("page", "4")]).await;
    assert_eq!((names(&page).len(), &page["total"]), (0, &json!(5)));
    let page = search(
        &app,
        &manager,
        &[("q", "whit"), ("per_page", "1"), ("page", "2")],
    )
    .await;
    assert_eq!(
        (names(&page), &page["total"]),
        (vec!["Jordan Whitfield".to_owned()], &json!(2))
    );
    let page = search(&app, &manager, &[("q", "  ")]).await;
    assert_eq!(
        (&page["per_page"], &page["total"]),
        (&json!(25), &json!(5)),
        "a blank q is no q"
    );
}

#[tokio::test]
async fn bad_searches_and_filters_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let too_long = "a".repeat(203);
    for (pairs, field) in [
        (vec![("q", "sm%th")], "q"),
        (vec![("q", "smi_")], "q"),
        (vec![("q", "<script>")], "q"),
        (vec![("q", "smith;")], "q"),
        (vec![("q", "r2d2")], "q"),
        (vec![("q", "2011/0000777A")], "q"),
        (vec![("q", "X12345")], "q"),
        (vec![("q", "a, b, c")], "q"),
        (vec![("q", ", jo")], "q"),
        (vec![("q", "- ' .")], "q"),
        (vec![("q", too_long.as_str())], "q"),
        (vec![("strand", "middle")], "strand"),
        (vec![("status", "maybe")], "status"),
        (vec![("allocated_to", "someone")], "allocated_to"),
        (vec![("page", "first")], "page"),
        (vec![("colour", "red")], ""),
    ] {
        let (status, body) = app.get_json(&people_path(&pairs), &manager).await;
        assert_eq!(status, 422, "{pairs:?}: {body}");
        if !field.is_empty() {
            let fields: Vec<&str> = body["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("{pairs:?}: no errors in {body}"))
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, [field], "{pairs:?}");
        }
    }
    // The longest search accepted still runs.
    let longest = "a".repeat(202);
    assert_eq!(
        search(&app, &manager, &[("q", longest.as_str())]).await["total"],
        0
    );
}

/// A distinct given name for each number, in the same order: 0 is "Aaa", 1 "Aab", 1000 "Bmm".
fn letters(n: usize) -> String {
    let letter = |k: usize| char::from(b'a' + u8::try_from(k % 26).unwrap());
    format!(
        "{}{}{}",
        letter(n / 676).to_ascii_uppercase(),
        letter(n / 26),
        letter(n)
    )
}

#[tokio::test]
async fn the_total_is_counted_up_to_the_cap() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let over = usize::try_from(SEARCH_TOTAL_CAP).unwrap() + 1;
    let txn = app.db().begin().await.unwrap();
    for n in 0..over {
        people::create(
            &txn,
            NewPerson {
                given_name: letters(n),
                family_name: "Capper".to_owned(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                language: "en".to_owned(),
                ..Default::default()
            },
            app.now(),
        )
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    app.person(&manager, "Other", "Person").await;

    let page = search(&app, &manager, &[("q", "capp")]).await;
    assert_eq!(
        (&page["total"], &page["total_capped"]),
        (&json!(SEARCH_TOTAL_CAP), &json!(true))
    );
    assert_eq!(names(&page).len(), 25);
    assert_eq!(names(&page)[0], "Aaa Capper");
    // Pages past the cap are still served, in order.
    let page = search(
        &app,
        &manager,
        &[("q", "capper"), ("per_page", "200"), ("page", "6")],
    )
    .await;
    assert_eq!(names(&page), [format!("{} Capper", letters(1000))]);
    // Without a search the list is capped the same way; a narrower search is exact.
    let page = search(&app, &manager, &[]).await;
    assert_eq!(
        (&page["total"], &page["total_capped"]),
        (&json!(SEARCH_TOTAL_CAP), &json!(true))
    );
    let page = search(&app, &manager, &[("q", "aa capper")]).await;
    assert_eq!(
        (&page["total"], &page["total_capped"]),
        (&json!(26), &json!(false))
    );
    let page = search(&app, &manager, &[("q", "capper, bmm")]).await;
    assert_eq!(
        (&page["total"], &page["total_capped"]),
        (&json!(1), &json!(false))
    );
    let page = search(&app, &manager, &[("q", "per")]).await;
    assert_eq!(
        (names(&page), &page["total_capped"]),
        (vec!["Other Person".to_owned()], &json!(false))
    );
}

#[tokio::test]
async fn a_partner_searches_only_the_people_referred_to_its_agency() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let housing = app.agency("Northshire Housing", "housing").await;
    let partner = app.user("partner", Some(housing)).await;
    let referred = app
        .person_with(&coordinator, "Robin", "Cole", json!({"crn": "C333333"}))
        .await;
    app.person_with(&coordinator, "Sam", "Cole", json!({"crn": "C444444"}))
        .await;
    app.person(&coordinator, "Alex", "Coleman").await;
    app.refer(referred, housing).await;

    for q in ["cole", "robin cole", "cole, r", "C333333"] {
        let page = search(&app, &partner, &[("q", q)]).await;
        assert_eq!(names(&page), ["Robin Cole"], "{q}");
        assert_eq!(page["total"], 1);
        assert!(
            page["items"][0].get("crn").is_none(),
            "the narrowed view: {page}"
        );
    }
    for q in ["sam cole", "coleman", "C444444"] {
        let page = search(&app, &partner, &[("q", q)]).await;
        assert_eq!((names(&page).len(), &page["total"]), (0, &json!(0)), "{q}");
    }
    assert_eq!(
        search(&app, &coordinator, &[("q", "cole")]).await["total"],
        3
    );
}
