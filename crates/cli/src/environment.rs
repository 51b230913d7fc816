//! The environment-variable layer of the settings: `VIGIL_<SECTION>__<KEY>=value`.
//!
//! figment's own `Env` provider reads every value as TOML-ish data, so `VIGIL_SMS__FROM=+447700900123`
//! becomes the number 447700900123 (the `+` lost, and the setting refused as "not a string"), and an
//! all-digit API key or token fails the same way with its value printed in the error. Here a value is
//! parsed as data only where the layers below hold data of another kind for that key (a number, a
//! boolean, a list); everywhere else, including the secrets, which have no default, it is taken as the
//! string it is.

use figment::Figment;
use figment::providers::Serialized;
use figment::value::Value;

const PREFIX: &str = "VIGIL_";

/// The process's `VIGIL_…` variables. Read with `vars_os`, because `std::env::vars` panics on any
/// variable, Vigil's or not, that is not UTF-8; a `VIGIL_` one that is not is a settings error.
pub fn vigil_variables() -> Result<Vec<(String, String)>, String> {
    let mut found = Vec::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name.to_str().filter(|name| name.starts_with(PREFIX)) else {
            continue;
        };
        let value = value
            .into_string()
            .map_err(|_| format!("{name} is not valid UTF-8"))?;
        found.push((name.to_owned(), value));
    }
    Ok(found)
}

/// `below` with the `VIGIL_…` variables among `vars` merged over it.
pub fn merge_environment(
    below: Figment,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Figment {
    let mut layer = Figment::new();
    for (name, raw) in vars {
        let Some(path) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let key = path
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
            .join(".");
        if key.is_empty() || key.split('.').any(str::is_empty) {
            continue;
        }
        let value = match below.find_value(&key) {
            Ok(Value::String(..)) | Err(_) => Value::from(raw),
            Ok(_) => raw.parse::<Value>().unwrap_or_else(|_| Value::from(raw)),
        };
        layer = layer.merge(Serialized::default(&key, value));
    }
    below.merge(layer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use figment::providers::{Format, Toml};

    use super::*;

    fn layered(vars: &[(&str, &str)]) -> Figment {
        let below = Figment::new().merge(Toml::string(
            "port = 8080\nname = \"x\"\n[sms]\nrate = 5\noffsets = [\"48h\"]\nenabled = true\n",
        ));
        merge_environment(
            below,
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn strings_stay_strings_whatever_they_look_like() {
        let figment = layered(&[
            ("VIGIL_SMS__FROM", "+447700900123"),
            ("VIGIL_SMS__API_KEY", "0012345"),
            ("VIGIL_NAME", "true"),
            ("OTHER_NAME", "ignored"),
        ]);
        let from: String = figment.extract_inner("sms.from").unwrap();
        assert_eq!(from, "+447700900123");
        let key: String = figment.extract_inner("sms.api_key").unwrap();
        assert_eq!(key, "0012345");
        let name: String = figment.extract_inner("name").unwrap();
        assert_eq!(name, "true");
    }

    #[test]
    fn data_keys_are_parsed_as_data() {
        let figment = layered(&[
            ("VIGIL_PORT", "9090"),
            ("VIGIL_SMS__RATE", "7"),
            ("VIGIL_SMS__OFFSETS", "[\"24h\", \"1h\"]"),
            ("VIGIL_SMS__ENABLED", "false"),
        ]);
        assert_eq!(figment.extract_inner::<u16>("port").unwrap(), 9090);
        assert_eq!(figment.extract_inner::<u32>("sms.rate").unwrap(), 7);
        assert_eq!(
            figment.extract_inner::<Vec<String>>("sms.offsets").unwrap(),
            ["24h", "1h"]
        );
        assert!(!figment.extract_inner::<bool>("sms.enabled").unwrap());
    }
}
