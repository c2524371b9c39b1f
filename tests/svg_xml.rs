//! Every SVG the project writes is well-formed XML, whatever the names in
//! it: parties, labels and titles with control characters or markup are
//! escaped, and a strict XML parser (roxmltree) reads the picture back.

mod support;

use stancekit::dyads::{aggregate, to_svg, Observation, Stance};
use stancekit::report::{xml_escape, Report};
use support::{run, stderr, write};

/// Every C0 control character XML 1.0 forbids, and markup.
const HOSTILE: &str = "Bad\u{0}\u{1}\u{8}\u{b}\u{c}\u{1b}\u{1f} <party> & \"co\" 'x' \u{fffe}";

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{svg}"))
}

/// The text of every element and attribute, as a parser reads them.
fn all_text(doc: &roxmltree::Document) -> String {
    let mut s = String::new();
    for n in doc.descendants() {
        if let Some(t) = n.text() {
            s.push_str(t);
        }
        for a in n.attributes() {
            s.push_str(a.value());
        }
    }
    s
}

#[test]
fn a_party_with_control_characters_leaves_the_dyads_svg_well_formed() {
    let obs = [Observation {
        source: HOSTILE.into(),
        target: "Target\u{2}<b>".into(),
        period: "all".into(),
        stance: Stance::Critical,
        score: -0.5,
    }];
    let svg = to_svg(&aggregate(&obs), "title\u{7} & <more>");
    let doc = parse(&svg);
    let text = all_text(&doc);
    assert!(text.contains("<party> & \"co\" 'x'"), "{text}");
    assert!(text.contains("Target\u{fffd}<b>"), "{text}");
    assert!(!text.chars().any(|c| c < ' ' && !"\t\n\r".contains(c)));
}

#[test]
fn a_label_with_control_characters_leaves_the_confusion_svg_well_formed() {
    let labels = vec!["crit\u{0}ical".to_string(), "<neutral>&'".to_string()];
    let r = Report::new(
        &labels,
        &[&labels[0], &labels[1]],
        &[&labels[0], &labels[0]],
    );
    let svg = r.to_svg(HOSTILE);
    let doc = parse(&svg);
    let text = all_text(&doc);
    assert!(
        text.contains("crit\u{fffd}ical") && text.contains("<neutral>&'"),
        "{text}"
    );
}

#[test]
fn escaping_keeps_tabs_and_newlines_and_replaces_other_controls() {
    assert_eq!(xml_escape("a\tb\nc\rd"), "a\tb\nc\rd");
    assert_eq!(
        xml_escape("\u{0}\u{1f}\u{ffff}"),
        "\u{fffd}\u{fffd}\u{fffd}"
    );
    assert_eq!(xml_escape("<&>\"'"), "&lt;&amp;&gt;&quot;&#39;");
}

#[test]
fn dyads_svg_from_predict_records_with_control_characters_parses() {
    let dir = tempfile::tempdir().unwrap();
    // A predict record written by hand: a speaker party and a target with
    // control characters, as a hostile or broken corpus could produce.
    let record = serde_json::json!({
        "article": "a\u{1}.txt", "date": "2025-04-01", "dyads": [],
        "quotes": [{
            "text": "We \u{0}condemn <them> & more", "start": 0, "end": 24, "kind": "direct",
            "speaker": "X\u{1b}", "speaker_party": HOSTILE, "cue": "said", "channel": null,
            "sentiment": {"label": "negative", "probs": {"negative": 0.8, "neutral": 0.1, "positive": 0.1}},
            "targets": [{"party": "Them\u{c}", "mention": "them", "start": 12, "end": 16, "via": "name",
                "stance": "critical", "probs": {"conciliatory": 0.1, "critical": 0.8, "neutral": 0.1}}]
        }]
    });
    let preds = write(dir.path(), "p.jsonl", format!("{record}\n").as_bytes());
    let o = run(&["dyads", &preds, "--format", "svg"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let svg = String::from_utf8(o.stdout).unwrap();
    let doc = parse(&svg);
    assert!(all_text(&doc).contains("Them\u{fffd}"));
}
