//! Who is speaking when the article names the source in news English's
//! other ways: unnamed sources as noun phrases, abbreviated titles,
//! parentheticals after a name, and quotes signed with a dash. Texts written
//! for these tests, with invented people, against the shipped dictionary.

use stancekit::article::Article;
use stancekit::parties::PartyDict;
use stancekit::quotes::extract;

/// (speaker, speaker party) of the quote containing `needle`.
fn who(text: &str, needle: &str) -> (Option<String>, Option<String>) {
    let article = Article::parse("t", text.to_string());
    let qs = extract(&article, PartyDict::embedded());
    let q = qs
        .iter()
        .find(|q| q.text.contains(needle))
        .unwrap_or_else(|| panic!("no quote containing {needle:?} in {qs:#?}"));
    (q.speaker.clone(), q.speaker_party.clone())
}

fn speaker(text: &str, needle: &str) -> Option<String> {
    who(text, needle).0
}

#[test]
fn an_unnamed_spokeswoman_is_the_phrase_not_a_dictionary_person() {
    let text = "\"The visit is postponed,\" a State Department spokeswoman said.";
    assert_eq!(
        who(text, "visit is postponed"),
        (
            Some("State Department spokeswoman".into()),
            Some("United States".into())
        )
    );
}

#[test]
fn plural_sources_are_the_phrase_with_the_party_it_names() {
    let text = "\"The convoy was turned back,\" two Russian diplomats said.";
    assert_eq!(
        who(text, "convoy"),
        (Some("Russian diplomats".into()), Some("Russia".into()))
    );
    let text = "\"The convoy was turned back,\" officials said.";
    assert_eq!(speaker(text, "convoy").as_deref(), Some("officials"));
}

#[test]
fn documents_and_other_sources_between_quote_and_cue_speak() {
    let text = "\"Our members will strike on Monday,\" the letter reads.";
    assert_eq!(speaker(text, "strike").as_deref(), Some("letter"));
    let text = "\"Our members will strike on Monday,\" said the report.";
    assert_eq!(speaker(text, "strike").as_deref(), Some("report"));
    let text = "\"You work hard,\" a narrator in the campaign ad asks.";
    assert_eq!(
        speaker(text, "work hard").as_deref(),
        Some("narrator in the campaign ad")
    );
}

#[test]
fn a_quoted_word_inside_a_sentence_is_not_followed_by_its_source() {
    // The words after a scare quote are no speaker.
    let text = "The so-called \"reciprocal\" tariffs announced in April hit Brazil.";
    let article = Article::parse("t", text.to_string());
    let qs = extract(&article, PartyDict::embedded());
    assert!(
        qs.iter().all(|q| q.speaker.as_deref() != Some("tariffs")),
        "{qs:#?}"
    );
}

#[test]
fn abbreviated_titles_and_parentheticals_do_not_hide_the_name() {
    let text = "\"Subpoenas are not optional,\" Rep. Dana Whitlow (D-Ore.) said.";
    assert_eq!(speaker(text, "Subpoenas").as_deref(), Some("Dana Whitlow"));
    let text = "\"Subpoenas are not optional,\" said Mr. Okafor, the law professor.";
    assert_eq!(speaker(text, "Subpoenas").as_deref(), Some("Okafor"));
    let text = "\"We will not fold,\" said Sen. Ray Conlan (R-Ky.), the panel's chairman.";
    assert_eq!(speaker(text, "not fold").as_deref(), Some("Ray Conlan"));
}

#[test]
fn a_quote_signed_with_a_dash_is_the_signers() {
    let text = "\"Europe must pay its share.\" - Commissioner Ana Pires";
    assert_eq!(speaker(text, "Europe must").as_deref(), Some("Ana Pires"));
    let text = "\"He is a bully.\" \u{2015} Carla Mendes";
    assert_eq!(speaker(text, "bully").as_deref(), Some("Carla Mendes"));
}

#[test]
fn a_dash_inside_a_sentence_signs_nothing() {
    let text = "\"We are done,\" the minister said - and left the room.";
    assert_ne!(
        speaker(text, "We are done").as_deref(),
        Some("left the room")
    );
}

/// (kind, text, speaker) of every quote.
fn all(text: &str) -> Vec<(String, String, Option<String>)> {
    let article = Article::parse("t", text.to_string());
    extract(&article, PartyDict::embedded())
        .into_iter()
        .map(|q| (format!("{:?}", q.kind), q.text, q.speaker))
        .collect()
}

#[test]
fn a_plain_subject_opening_the_sentence_reports_speech() {
    let got = all("The union says the strike will go ahead on Monday.");
    assert_eq!(
        got,
        vec![(
            "Indirect".into(),
            "the strike will go ahead on Monday".into(),
            Some("union".into())
        )]
    );
}

#[test]
fn a_clause_without_that_after_a_strong_cue_is_reported_speech() {
    let got = all("Amal Haddad, a lawyer in Beirut, noted clients are leaving the city.");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "clients are leaving the city");
    assert_eq!(got[0].2.as_deref(), Some("Amal Haddad"));
    // "said in a statement" is no clause.
    let got = all("The ministry said in a statement on Monday.");
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn a_slogan_continues_nobodys_speech() {
    let got = all(
        "\"We will win,\" the candidate said.\n\nHer slogan, \"Harbour First\", was everywhere.",
    );
    assert!(
        got.iter().all(|q| !q.1.contains("Harbour First")),
        "{got:?}"
    );
}

#[test]
fn a_partial_quote_is_the_clause_that_reports_it() {
    let got = all("Senator Ruth Adler called the plan \"a dangerous gamble\" with \"no exit\".");
    assert_eq!(got.len(), 1, "one speech act, one record: {got:?}");
    assert_eq!(got[0].0, "Partial");
    assert_eq!(got[0].1, "the plan \"a dangerous gamble\" with \"no exit\"");
    let got = all("The deal was \"a historic mistake\", Senator Ruth Adler said.");
    assert_eq!(got[0].1, "The deal was \"a historic mistake\"");
}

#[test]
fn a_long_plain_subject_reports_speech_and_a_topic_is_no_affiliation() {
    let got =
        all("Experts on North Korea and arms control said the latest test could change that.");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].2.as_deref(),
        Some("Experts on North Korea and arms control")
    );
    let article = Article::parse(
        "t",
        "Experts on North Korea and arms control said the latest test could change that.".into(),
    );
    let q = &extract(&article, PartyDict::embedded())[0];
    assert_eq!(q.speaker_party, None, "a topic is not whom they speak for");
}

#[test]
fn a_subject_with_a_modifier_still_opens_a_reported_clause() {
    let got = all("Ana Pires, the commission's head, said praise from the union's largest member would not change the plan.");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.starts_with("praise from"), "{got:?}");
}

#[test]
fn an_attribution_inside_the_sentence_reports_both_halves() {
    let got = all("The new border rules, Ana Pires said, will take effect in March.");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].1,
        "The new border rules, Ana Pires said, will take effect in March"
    );
    // A comma after the cue opens no clause by itself.
    let got = all("Ana Pires said, smiling, that the rules will take effect in March.");
    assert!(got.iter().all(|q| !q.1.starts_with(',')), "{got:?}");
}

#[test]
fn it_and_they_continue_the_source_just_before() {
    let got = all("The ministry said in a statement that the border would stay closed. It added that talks would resume in May.");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].1, "talks would resume in May");
    assert_eq!(got[1].2.as_deref(), Some("ministry"));
    // With nobody before, "it" is nobody.
    assert!(all("It said the talks would resume in May.").is_empty());
}

#[test]
fn a_sentence_ending_in_a_colon_introduces_the_quote_after_it() {
    let got = all("Pat Caddell, a veteran pollster, spoke on Monday.\n\nCaddell continued:\n\n\"The health issue is a partisan issue.\"");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].2.as_deref(), Some("Pat Caddell"));
    // A list is no speaker.
    let got = all("The list of demands includes:\n\n\"Free elections now.\"");
    assert!(got.iter().all(|q| q.2.is_none()), "{got:?}");
}

#[test]
fn a_role_with_nobody_before_it_is_the_unnamed_source() {
    let got = all("\"We will not yield,\" the minister told reporters.");
    assert_eq!(got[0].2.as_deref(), Some("minister"));
}

#[test]
fn british_straight_single_quotes_are_quote_marks_and_apostrophes_are_not() {
    let got = all("'We will not yield,' the minister's spokesman Tom Hale said. 'It's over.'");
    assert_eq!(
        got.iter().map(|q| q.1.as_str()).collect::<Vec<_>>(),
        vec!["We will not yield,", "It's over."]
    );
    assert!(
        got.iter().all(|q| q.2.as_deref() == Some("Tom Hale")),
        "{got:?}"
    );
    // Apostrophes inside words, after a plural and before a number.
    let got = all("The ministers' talks ended in the '90s, and it's late now.");
    assert!(
        got.iter().all(|q| q.0 != "Direct" && q.0 != "Partial"),
        "{got:?}"
    );
}
