//! What the records' JSON needs beyond serde's derives: enums named once,
//! and numbers that serde_json wrote as `null` (NaN) read back.
//!
//! The records are written by serde_json itself. A hand-written writer
//! lived here while serde's generic serializer cost about a tenth of
//! `predict`'s instructions; measured again on the records as they are now
//! (2026-12-08, callgrind, 1 MB, `--threads 1`), serde costs predict 1.9%
//! and extract 4.5% more instructions than the hand writer, with no
//! difference in wall time beyond noise (benches/RESULTS.md).

/// An enum whose values are written and read as JSON strings, named once:
/// `as_str` is the one table, and serde writes and reads through it.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value named `s`, if one is.
            pub fn parse(s: &str) -> Option<$name> {
                [$($name::$variant),+].into_iter().find(|v| v.as_str() == s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&s, &[$($text),+]))
            }
        }
    };
}
pub(crate) use named_enum;

/// A number read back: serde_json writes NaN and the infinities as `null`
/// (see [`float`]), which reads back as NaN rather than as an error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NanIfNull(pub f64);

impl<'de> serde::Deserialize<'de> for NanIfNull {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(NanIfNull(
            <Option<f64> as serde::Deserialize>::deserialize(d)?.unwrap_or(f64::NAN),
        ))
    }
}

/// [`NanIfNull`] for a field (`#[serde(deserialize_with = ...)]`).
pub(crate) fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    <NanIfNull as serde::Deserialize>::deserialize(d).map(|x| x.0)
}
