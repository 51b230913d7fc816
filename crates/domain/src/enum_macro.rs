//! One declarative macro for every closed vocabulary in the domain, so the API string form, the
//! serde form, `FromStr`, `Display` and the list of allowed values can never drift apart.

/// A string that names no variant of a closed vocabulary. The message lists the allowed values so
/// an API client (or a person editing a config file) can fix the input without reading code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {kind}; expected one of: {expected}")]
pub struct UnknownVariant {
    /// What kind of value was being parsed, e.g. "strand".
    pub kind: &'static str,
    /// The rejected input, as given.
    pub value: String,
    /// The allowed values, comma separated.
    pub expected: String,
}

impl UnknownVariant {
    /// Builds the error from the allowed string forms.
    pub fn new<'a>(
        kind: &'static str,
        value: &str,
        allowed: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self {
            kind,
            value: value.to_owned(),
            expected: allowed.into_iter().collect::<Vec<_>>().join(", "),
        }
    }
}

/// Declares a fieldless enum with explicit string forms:
///
/// ```text
/// domain_enum! {
///     /// docs
///     pub enum Tier("tier") { A = "A", B = "B" }
/// }
/// ```
///
/// Generates the derives, `ALL`, `as_str`, `Display` and a trimming, ASCII-case-insensitive
/// `FromStr`. Serde uses exactly the same strings (via `rename`), which is why the strings are
/// explicit rather than `rename_all = "snake_case"`: some vocabularies ("A".."G", "1".."3") are not
/// snake case.
macro_rules! domain_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The API / storage string form.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        $crate::UnknownVariant::new(
                            $kind,
                            s,
                            Self::ALL.iter().map(|v| v.as_str()),
                        )
                    })
            }
        }
    };
}

pub(crate) use domain_enum;
