//! Parsing of the person fields shared by create and update: each raw string becomes its domain type (and
//! then its stored form), with every failure recorded against its field.

use vigil_domain::{
    Crn, EmailAddress, Language, MappaLevel, PersonName, PncId, Rosh, Tier, UkMobile,
};

use crate::validation::Validator;

pub fn name(v: &mut Validator, field: &str, raw: &str) -> Option<String> {
    v.check(field, PersonName::parse(raw))
        .map(|name| name.as_str().to_owned())
}

pub fn pnc_id(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("pnc_id", PncId::parse(raw))
        .map(|id| id.as_str().to_owned())
}

pub fn crn(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("crn", Crn::parse(raw))
        .map(|crn| crn.as_str().to_owned())
}

pub fn mobile(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("mobile", UkMobile::parse(raw))
        .map(|mobile| mobile.as_str().to_owned())
}

pub fn email(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("email", EmailAddress::parse(raw))
        .map(|email| email.as_str().to_owned())
}

pub fn language(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("language", raw.parse::<Language>())
        .map(|l| l.as_str().to_owned())
}

pub fn tier(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("tier", raw.parse::<Tier>())
        .map(|t| t.as_str().to_owned())
}

pub fn rosh(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("rosh", raw.parse::<Rosh>())
        .map(|r| r.as_str().to_owned())
}

pub fn mappa_level(v: &mut Validator, raw: &str) -> Option<String> {
    v.check("mappa_level", raw.parse::<MappaLevel>())
        .map(|m| m.as_str().to_owned())
}
