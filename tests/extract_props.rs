//! Property tests: extraction never panics and every span it reports lies
//! inside the article, on character boundaries, with start <= end.

use proptest::prelude::*;
use stancekit::article::Article;
use stancekit::parties::PartyDict;
use stancekit::quotes::{extract, ArticleQuotes};

fn dict() -> &'static PartyDict {
    use std::sync::OnceLock;
    static D: OnceLock<PartyDict> = OnceLock::new();
    D.get_or_init(|| {
        PartyDict::from_toml_str(include_str!("fixtures/parties_small.toml"), "fixture").unwrap()
    })
}

fn check(text: String) {
    check_with(text, dict());
}

fn check_with(text: String, dict: &PartyDict) {
    let article = Article::parse("p", text);
    let t = &article.text;
    for p in &article.paragraphs {
        assert!(p.start <= p.end && p.end <= t.len());
        assert!(t.is_char_boundary(p.start) && t.is_char_boundary(p.end));
    }
    let quotes = extract(&article, dict);
    for q in &quotes {
        assert!(q.start <= q.end && q.end <= t.len(), "{q:?}");
        assert!(
            t.is_char_boundary(q.start) && t.is_char_boundary(q.end),
            "{q:?}"
        );
        for tg in &q.targets {
            assert!(tg.start <= tg.end && tg.end <= t.len(), "{tg:?}");
            assert!(t.is_char_boundary(tg.start) && t.is_char_boundary(tg.end));
        }
    }
    let rec = ArticleQuotes::new(&article, &quotes);
    let n = t.chars().count();
    for q in &rec.quotes {
        assert!(q.start <= q.end && q.end <= n);
    }
    serde_json::to_string(&rec).unwrap();
}

/// Fragments that exercise the quote and attribution machinery.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"".to_string()),
        Just("\u{201c}".to_string()),
        Just("\u{201d}".to_string()),
        Just("\u{2018}".to_string()),
        Just("\u{2019}".to_string()),
        Just("\u{ab}".to_string()),
        Just("\u{bb}".to_string()),
        Just("\u{201e}".to_string()),
        Just("'".to_string()),
        Just(" said ".to_string()),
        Just(" told RIA ".to_string()),
        Just(", Lavrov said. ".to_string()),
        Just(" according to ".to_string()),
        Just(" he added: ".to_string()),
        Just(" Moscow ".to_string()),
        Just(" our countries ".to_string()),
        Just(" NATO members have branded Beijing a ".to_string()),
        Just("Also read: ".to_string()),
        Just(".(AFP)".to_string()),
        Just(" date 2025-01-01 - ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\n\n".to_string()),
        Just(". ".to_string()),
        Just(",".to_string()),
        // Hostile text: NUL, bidi controls, RTL letters, combining marks,
        // joiners, a BOM, replacement characters.
        Just("\0".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{200f}".to_string()),
        Just(" \u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{627}\u{644}".to_string()),
        Just("\u{301}\u{308}".to_string()),
        Just("e\u{301}".to_string()),
        Just("\u{200d}\u{fe0f}".to_string()),
        Just("\u{feff}".to_string()),
        Just("\u{fffd}".to_string()),
        Just("\r\r".to_string()),
        "[a-zA-Z ]{0,12}",
        "\\PC{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics_and_spans_stay_inside(s in "\\PC{0,200}") {
        check(s);
    }

    #[test]
    fn arbitrary_bytes_decoded_lossily_never_panic(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(String::from_utf8_lossy(&b).into_owned());
    }

    #[test]
    fn mixes_of_quote_marks_never_panic(parts in proptest::collection::vec(fragment(), 0..40)) {
        check(parts.concat());
    }

    #[test]
    fn embedded_dictionary_spans_stay_inside(parts in proptest::collection::vec(fragment(), 0..40)) {
        check_with(parts.concat(), PartyDict::embedded());
    }
}
