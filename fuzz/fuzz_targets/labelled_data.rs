//! Fuzz target `labelled_data`: see `checks::labelled_data`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::labelled_data(data));
