//! Shared boilerplate for validated string newtypes: every one of them is built only through its
//! `parse` function, so `FromStr`, `TryFrom<String>` (used by serde) and `Display` all go through
//! the same validation.

/// Implements `as_str`, `Display`, `FromStr`, `AsRef<str>`, `TryFrom<String>` and
/// `From<T> for String` for a tuple newtype `T(String)` that has `fn parse(&str) -> Result<T, E>`.
macro_rules! string_newtype {
    ($name:ident, $err:ty) => {
        impl $name {
            /// The canonical (normalised) string form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $err;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

pub(crate) use string_newtype;
