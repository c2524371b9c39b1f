//! Fuzz target `long_article`: see `checks::long_article`. The clock is
//! generous (instrumented code runs several times slower than a release
//! build): 20 ms per KB on top of a second, where the release build needs
//! well under 1 ms per KB on news text.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::long_article(
    data,
    Some(std::time::Duration::from_millis(20))
));
