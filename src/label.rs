//! A model's label as a prediction carries it.

use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// One of a model's labels, borrowed from the model for as long as it
/// lives. `predict` makes a prediction per statement, and copying the label
/// names into each cost four allocations (and four frees) a statement. It
/// reads like the `String` it replaced: `as_str`, `==` with strings, deref
/// to `str`, formatted and serialised as the string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label<'m>(pub &'m str);

impl<'m> Label<'m> {
    pub fn as_str(&self) -> &'m str {
        self.0
    }
}

impl Deref for Label<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl fmt::Debug for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl PartialEq<str> for Label<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Label<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Label<'_> {
    fn eq(&self, other: &String) -> bool {
        self.0 == other
    }
}

impl From<Label<'_>> for String {
    fn from(l: Label<'_>) -> String {
        l.0.to_string()
    }
}

impl Serialize for Label<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_reads_and_writes_as_its_string() {
        let l = Label("critical");
        assert_eq!(l, "critical");
        assert_eq!(l.as_str(), "critical");
        assert_eq!(format!("[{l:<10}] {l:?}"), "[critical  ] \"critical\"");
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"critical\"");
        assert_eq!(String::from(l), "critical");
    }
}
