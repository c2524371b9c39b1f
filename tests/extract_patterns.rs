//! One test per attribution pattern of the extraction spec, on short texts
//! written for these tests, with a small fixed party dictionary.

use stancekit::article::Article;
use stancekit::parties::PartyDict;
use stancekit::quotes::{extract, ArticleQuotes, Quote, QuoteKind};

fn dict() -> PartyDict {
    PartyDict::from_toml_str(
        include_str!("fixtures/parties_small.toml"),
        "parties_small.toml",
    )
    .expect("fixture dictionary parses")
}

fn run(text: &str) -> Vec<Quote> {
    let article = Article::parse("t", text.to_string());
    extract(&article, &dict())
}

fn find<'a>(qs: &'a [Quote], needle: &str) -> &'a Quote {
    qs.iter()
        .find(|q| q.text.contains(needle))
        .unwrap_or_else(|| panic!("no quote containing {needle:?} in {qs:#?}"))
}

fn parties(q: &Quote) -> Vec<&str> {
    let mut v: Vec<&str> = q.targets.iter().map(|t| t.party.as_str()).collect();
    v.sort();
    v
}

#[test]
fn attributes_quote_split_around_said() {
    let qs = run("\"Fishing quotas are settled,\" Berg said. \"The rest can wait until spring.\"");
    let a = find(&qs, "Fishing quotas");
    let b = find(&qs, "The rest");
    assert_eq!(a.kind, QuoteKind::Direct);
    assert_eq!(a.speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(b.speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(a.cue.as_deref(), Some("said"));
}

#[test]
fn attributes_quote_split_around_said_in_one_sentence() {
    let qs = run("\"We tried,\" said Anna Berg, \"and we will try again.\"");
    assert_eq!(find(&qs, "We tried").speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(find(&qs, "try again").speaker.as_deref(), Some("Anna Berg"));
}

#[test]
fn continues_speaker_across_paragraphs() {
    let qs = run("\"The harbour will reopen next week,\" Norwegian Foreign Minister Anna Berg said.\n\n\"Nobody should doubt that.\"\n\nThe weather was cold.\n\n\"Unattributed words stay unattributed.\"");
    assert_eq!(
        find(&qs, "Nobody should").speaker.as_deref(),
        Some("Anna Berg")
    );
    assert_eq!(find(&qs, "Unattributed").speaker, None);
}

#[test]
fn channel_is_never_the_speaker() {
    let qs = run("Dmitry Peskov spoke on Friday.\n\n\"The talks were useful,\" TASS cited Peskov as saying.\n\nPeskov told the RIA Novosti news agency that the talks would continue.");
    let q = find(&qs, "talks were useful");
    assert_eq!(q.speaker.as_deref(), Some("Dmitry Peskov"));
    assert_eq!(q.channel.as_deref(), Some("TASS"));
    let r = find(&qs, "talks would continue");
    assert_eq!(r.kind, QuoteKind::Indirect);
    assert_eq!(r.speaker.as_deref(), Some("Dmitry Peskov"));
    assert_eq!(r.channel.as_deref(), Some("RIA Novosti"));
}

#[test]
fn told_outlet_sets_channel_for_direct_quote() {
    let qs = run("\"Kyiv must decide for itself,\" Lavrov told Reuters.");
    let q = find(&qs, "Kyiv must");
    assert_eq!(q.speaker.as_deref(), Some("Sergei Lavrov"));
    assert_eq!(q.channel.as_deref(), Some("Reuters"));
    assert_eq!(q.speaker_party.as_deref(), Some("Russia"));
    assert_eq!(parties(q), vec!["Ukraine"]);
}

#[test]
fn multi_paragraph_quote_continues_into_next_opening_mark() {
    let text = "Berg said: \"The first part of the plan is simple.\n\n\"The second part is harder,\" she added.";
    let qs = run(text);
    let q = find(&qs, "first part");
    assert!(q.text.contains("second part"), "{q:?}");
    assert_eq!(q.speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(
        &text[q.start..q.end],
        "The first part of the plan is simple.\n\n\"The second part is harder,"
    );
}

#[test]
fn unclosed_quote_runs_to_paragraph_end_and_extraction_goes_on() {
    let qs = run("Berg said: \"This sentence never closes.\n\nThe next paragraph is narrative.\n\n\"But this one is closed,\" Lavrov said.");
    let a = find(&qs, "never closes");
    assert_eq!(a.text, "This sentence never closes.");
    assert_eq!(
        find(&qs, "this one is closed").speaker.as_deref(),
        Some("Sergei Lavrov")
    );
}

#[test]
fn stray_closing_marks_are_ignored() {
    let qs = run("The meeting ended\u{201d} early. \"It was short,\" Lavrov said.");
    assert_eq!(qs.iter().filter(|q| q.kind == QuoteKind::Direct).count(), 1);
    assert_eq!(
        find(&qs, "It was short").speaker.as_deref(),
        Some("Sergei Lavrov")
    );
}

#[test]
fn partial_quote_takes_sentence_speaker() {
    let qs = run("Putin said Moscow was ready for a \"serious and honest\" dialogue with Kyiv.");
    let q = qs
        .iter()
        .find(|q| q.kind == QuoteKind::Partial)
        .expect("partial quote");
    // The record is the clause that reports the quoted words, marks and all.
    assert_eq!(
        q.text,
        "Moscow was ready for a \"serious and honest\" dialogue with Kyiv"
    );
    assert_eq!(q.speaker.as_deref(), Some("Vladimir Putin"));
    assert!(parties(q).contains(&"Ukraine"));
}

#[test]
fn partial_quote_after_evaluative_verb() {
    let qs = run("NATO allies have called Moscow a \"direct threat\" to Europe.");
    let q = find(&qs, "direct threat");
    assert_eq!(q.kind, QuoteKind::Partial);
    // A plural source is the phrase, with the party it names.
    assert_eq!(q.speaker.as_deref(), Some("NATO allies"));
    assert_eq!(q.speaker_party.as_deref(), Some("NATO"));
    assert_eq!(parties(q), vec!["Russia"]);
}

#[test]
fn scare_quotes_and_titles_without_speaker_are_skipped() {
    let qs = run("Kenya and Norway signed a \"green growth\" pact. The film \"Northern Lights Over Nairobi\" opened.");
    assert!(qs.iter().all(|q| q.kind != QuoteKind::Partial), "{qs:#?}");
}

#[test]
fn reported_speech_with_that_is_indirect() {
    let qs = run("Lavrov said on Monday that Washington had ignored every proposal.");
    let q = find(&qs, "Washington had ignored");
    assert_eq!(q.kind, QuoteKind::Indirect);
    assert_eq!(q.text, "Washington had ignored every proposal");
    assert_eq!(q.speaker.as_deref(), Some("Sergei Lavrov"));
    assert_eq!(parties(q), vec!["United States"]);
}

#[test]
fn reported_speech_without_that_is_indirect() {
    let qs = run("Berg said Norway would send more ships to the Arctic.");
    let q = find(&qs, "Norway would send");
    assert_eq!(q.kind, QuoteKind::Indirect);
    assert_eq!(q.speaker.as_deref(), Some("Anna Berg"));
}

#[test]
fn post_posed_attribution_is_indirect() {
    let qs = run("Kenya is ready to host the next round of talks, Berg told reporters in Nairobi.");
    let q = find(&qs, "Kenya is ready");
    assert_eq!(q.kind, QuoteKind::Indirect);
    assert_eq!(q.speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(q.channel, None);
}

#[test]
fn according_to_is_indirect() {
    let qs = run("According to Lavrov, the sanctions have failed completely.");
    let q = find(&qs, "sanctions have failed");
    assert_eq!(q.kind, QuoteKind::Indirect);
    assert_eq!(q.speaker.as_deref(), Some("Sergei Lavrov"));
    assert_eq!(q.cue.as_deref(), Some("according to"));
}

#[test]
fn inverted_said_with_appositive() {
    let qs = run("\"We need calm,\" said Tomas Lind, Kenya's trade envoy.");
    let q = find(&qs, "We need calm");
    assert_eq!(q.speaker.as_deref(), Some("Tomas Lind"));
    assert_eq!(q.speaker_party.as_deref(), Some("Kenya"));
}

#[test]
fn appositive_between_name_and_cue() {
    let qs = run("Tomas Lind, Kenya's trade envoy, said: \"The port deal is fair.\"");
    let q = find(&qs, "port deal");
    assert_eq!(q.speaker.as_deref(), Some("Tomas Lind"));
    assert_eq!(q.speaker_party.as_deref(), Some("Kenya"));
}

#[test]
fn pronoun_resolves_to_last_named_speaker() {
    let qs = run("\"Talks will go on,\" Lavrov said in Oslo.\n\nAt a dinner with Berg, he added: \"We are patient.\"");
    assert_eq!(
        find(&qs, "patient").speaker.as_deref(),
        Some("Sergei Lavrov")
    );
}

#[test]
fn pronoun_respects_gender() {
    let qs = run(
        "\"Calm down,\" Lavrov said.\n\n\"Not yet,\" Anna Berg said.\n\nLater he said: \"Fine.\"",
    );
    assert_eq!(find(&qs, "Fine").speaker.as_deref(), Some("Sergei Lavrov"));
}

#[test]
fn role_noun_resolves_to_named_person() {
    let qs = run("\"Ships will sail,\" Norwegian Foreign Minister Anna Berg said on Monday.\n\nThe weather was poor.\n\n\"Oslo is firm,\" the minister said.");
    let q = find(&qs, "Oslo is firm");
    assert_eq!(q.speaker.as_deref(), Some("Anna Berg"));
}

#[test]
fn surname_resolves_to_full_name_introduced_earlier() {
    let qs =
        run("Kenyan trade envoy Tomas Lind arrived on Sunday.\n\n\"Prices will fall,\" Lind said.");
    let q = find(&qs, "Prices will fall");
    assert_eq!(q.speaker.as_deref(), Some("Tomas Lind"));
    assert_eq!(q.speaker_party.as_deref(), Some("Kenya"));
}

#[test]
fn role_phrase_gives_speaker_party() {
    let qs = run("\"No decision has been taken,\" a Kremlin spokesman said.");
    let q = find(&qs, "No decision");
    assert_eq!(q.speaker_party.as_deref(), Some("Russia"));
}

#[test]
fn institution_speaker_is_the_institution() {
    let qs = run("\"The alliance stands united,\" NATO said in a statement.\n\nThe Kremlin said that the exercise was a provocation.");
    let q = find(&qs, "stands united");
    assert_eq!(q.speaker.as_deref(), Some("NATO"));
    assert_eq!(q.speaker_party.as_deref(), Some("NATO"));
    let r = find(&qs, "exercise was a provocation");
    assert_eq!(r.speaker.as_deref(), Some("Kremlin"));
    assert_eq!(r.speaker_party.as_deref(), Some("Russia"));
}

#[test]
fn quotes_in_noise_are_not_reported() {
    let qs = run(" date 2025-02-03 - Ministers met. Talks in Oslo\n\nAlso read: \"Kenya is next,\" says Berg\n\nAn aide holds a sign reading \"Peace now\".(AFP)\n\n\"Real quote,\" Berg said.");
    assert_eq!(qs.len(), 1, "{qs:#?}");
    assert_eq!(qs[0].text, "Real quote,");
}

#[test]
fn our_countries_refers_to_the_counterpart_never_the_speakers_party() {
    let qs = run("Berg met Lavrov in Moscow.\n\n\"Our two countries share a long border,\" Berg said after talks with Lavrov.");
    let q = find(&qs, "Our two countries");
    assert_eq!(parties(q), vec!["Russia"]);
    let t = &q.targets[0];
    assert_eq!(t.mention, "Our two countries");
    assert_eq!(t.via, stancekit::quotes::Via::Reference);
}

#[test]
fn plain_we_makes_no_target() {
    // The speaker's own party is never a target, and nothing else is named.
    let qs = run("\"We will not retreat,\" Lavrov said after meeting Berg.");
    assert!(parties(find(&qs, "not retreat")).is_empty());
}

#[test]
fn curly_quotes_and_guillemets_delimit_speech() {
    let qs =
        run("\u{201c}Oslo is open,\u{201d} Berg said. \u{ab}Moscow is not,\u{bb} Lavrov said.");
    assert_eq!(
        find(&qs, "Oslo is open").speaker.as_deref(),
        Some("Anna Berg")
    );
    assert_eq!(
        find(&qs, "Moscow is not").speaker.as_deref(),
        Some("Sergei Lavrov")
    );
}

#[test]
fn json_offsets_are_characters() {
    let text = "\u{201c}Kyiv d\u{e9}cid\u{e9},\u{201d} Lavrov said.";
    let article = Article::parse("t", text.to_string());
    let qs = extract(&article, &dict());
    let rec = ArticleQuotes::new(&article, &qs);
    let q = &rec.quotes[0];
    assert_eq!((q.start, q.end), (1, 13));
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(chars[q.start..q.end].iter().collect::<String>(), q.text);
    assert_eq!(q.targets[0].start, 1);
    let json = serde_json::to_string(&rec).unwrap();
    assert!(
        json.starts_with("{\"article\":\"t\",\"date\":null,\"quotes\":[{\"text\""),
        "{json}"
    );
    assert!(!json.contains("error"));
}

#[test]
fn a_partial_quotes_clause_ends_where_the_next_reporting_clause_begins() {
    let qs = run(
        "Putin called the plan \"a dead end\" and Peskov said the talks were \"premature\" in Oslo.",
    );
    let first = find(&qs, "dead end");
    assert_eq!(first.kind, QuoteKind::Partial);
    assert!(
        !first.text.contains("Peskov") && !first.text.contains("premature"),
        "{first:#?}"
    );
    let second = find(&qs, "premature");
    assert!(!second.text.contains("dead end"), "{second:#?}");
}

#[test]
fn a_reporting_verb_without_a_clause_boundary_before_it_stays_in_the_clause() {
    let qs = run(
        "NATO members branded Beijing a \"decisive enabler\" of Moscow's war which it never condemned.",
    );
    let q = find(&qs, "decisive enabler");
    assert!(q.text.contains("of Moscow's war"), "{q:#?}");
    assert_eq!(parties(q), ["China", "Russia"]);
}

#[test]
fn two_apostrophes_are_one_double_quote_mark() {
    // Archive and typeset copy writes a double quote as two straight
    // apostrophes; the apostrophe inside "isn't" stays a letter.
    let qs = run("''The harbour isn't ready,'' Berg said. ''It will be in spring.''\n\n''Nobody should doubt that,'' she added,\n\n''and nobody will.''");
    let a = find(&qs, "harbour");
    assert_eq!(a.text, "The harbour isn't ready,");
    assert_eq!(a.kind, QuoteKind::Direct);
    assert_eq!(a.speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(find(&qs, "in spring").text, "It will be in spring.");
    assert_eq!(
        find(&qs, "Nobody should").speaker.as_deref(),
        Some("Anna Berg")
    );
    assert!(qs.iter().all(|q| !q.text.contains("''")), "{qs:#?}");
}

fn indirect<'a>(qs: &'a [Quote], needle: &str) -> &'a Quote {
    let q = find(qs, needle);
    assert_eq!(q.kind, QuoteKind::Indirect, "{q:#?}");
    q
}

#[test]
fn any_verb_of_saying_knowing_or_showing_reports_a_that_clause() {
    let qs = run("A new survey of fishermen shows that most boats stayed in port all winter.\n\nHarbour police also fear that the closures could add to the tension.\n\nThe court ruled that the quota broke the treaty on shared waters.");
    let a = indirect(&qs, "most boats stayed");
    assert_eq!(a.text, "most boats stayed in port all winter");
    assert_eq!(a.speaker.as_deref(), Some("new survey of fishermen"));
    assert_eq!(a.cue.as_deref(), Some("shows"));
    assert_eq!(
        indirect(&qs, "the closures could").speaker.as_deref(),
        Some("Harbour police")
    );
    assert_eq!(
        indirect(&qs, "the quota broke").speaker.as_deref(),
        Some("court")
    );
}

#[test]
fn a_source_after_its_clause_is_read_as_a_plain_phrase() {
    let qs = run("The two ministers will meet again in the spring, officials in the port city said on Friday.\n\nCatches fell by a third over the decade, one study found.");
    let a = indirect(&qs, "will meet again");
    assert_eq!(a.text, "The two ministers will meet again in the spring");
    assert_eq!(a.speaker.as_deref(), Some("officials in the port city"));
    assert_eq!(
        indirect(&qs, "Catches fell").speaker.as_deref(),
        Some("one study")
    );
}

#[test]
fn according_to_takes_any_source_phrase() {
    let qs = run("According to harbour police, two boats were seized overnight.\n\nAbout 4,000 people work on the boats, according to a survey released by the union last week.");
    assert_eq!(
        indirect(&qs, "two boats were seized").speaker.as_deref(),
        Some("harbour police")
    );
    let b = indirect(&qs, "4,000 people");
    assert_eq!(b.text, "About 4,000 people work on the boats");
    assert_eq!(
        b.speaker.as_deref(),
        Some("survey released by the union last week")
    );
}

#[test]
fn nouns_participles_and_prepositions_are_not_reported_speech() {
    // "states", "show" as nouns before a relative "that"; a phrase opening
    // with a preposition is no source; a participle speaks for the
    // sentence's subject, not for the noun before it.
    let qs = run("The fleet sailed from ports in coastal states that the storm had spared last year.\n\nThe two hosts taped an hourlong show that aired on the radio on Thursday night.\n\nThe harbour master closed the port early on Monday, saying that the storm would reach the coast by noon.");
    for q in &qs {
        assert!(
            !q.text.contains("the storm had spared") && !q.text.contains("aired on the radio"),
            "{q:#?}"
        );
        if q.text.contains("reach the coast") {
            assert_ne!(q.speaker.as_deref(), Some("storm"), "{q:#?}");
        }
    }
}

#[test]
fn a_report_reads_through_contractions_modifiers_and_a_parenthetical_source() {
    let qs = run("The quarrel over grazing rights is an insult to every herder, top county lawmakers said on Friday.\n\nThe boats were seized at dawn, lawyers for the family said.\n\nHis aides say it's too early to talk about a second term.\n\nThe treaty, Berg said, would hold for another decade at least.");
    assert_eq!(
        indirect(&qs, "grazing rights").text,
        "The quarrel over grazing rights is an insult to every herder"
    );
    assert_eq!(
        indirect(&qs, "seized at dawn").speaker.as_deref(),
        Some("lawyers for the family")
    );
    assert_eq!(
        indirect(&qs, "too early").text,
        "it's too early to talk about a second term"
    );
    let d = indirect(&qs, "would hold");
    assert_eq!(d.speaker.as_deref(), Some("Anna Berg"));
    assert!(d.text.starts_with("The treaty"), "{d:#?}");
}

#[test]
fn the_ministry_speaks_for_the_party_the_article_named_it_with() {
    // A body named once with its party is later "the ministry", "the coast
    // guard", "the prime minister's office".
    let qs = run("Norway's foreign ministry said in a statement that talks would resume.\n\n\"The door stays open,\" Per Lund, the ministry's spokesman, told reporters.\n\n\"We will wait,\" said Kari Dahl, an adviser at the ministry's legal department.");
    let a = find(&qs, "door stays open");
    assert_eq!(a.speaker.as_deref(), Some("Per Lund"));
    assert_eq!(a.speaker_party.as_deref(), Some("Norway"));
    assert_eq!(
        find(&qs, "We will wait").speaker_party.as_deref(),
        Some("Norway")
    );
    // With no body named before, "the ministry" names no party.
    let qs = run("\"The door stays open,\" Per Lund, the ministry's spokesman, told reporters.");
    assert_eq!(find(&qs, "door stays open").speaker_party, None);
}

#[test]
fn a_participle_speaks_for_the_subject_of_its_sentence() {
    let qs = run("Anna Berg spoke on the radio on Monday, saying that Russian officials should release the logs.\n\nAnna Berg weighed in later, saying that harbour officials should open the logs \"without delay\".");
    let q = indirect(&qs, "release the logs");
    assert_eq!(q.speaker.as_deref(), Some("Anna Berg"), "{q:#?}");
    assert_eq!(q.text, "Russian officials should release the logs");
    let q = find(&qs, "without delay");
    assert_eq!(q.speaker.as_deref(), Some("Anna Berg"), "{q:#?}");
}

#[test]
fn clergy_titles_parentheticals_and_a_cue_of_its_own() {
    let qs = run("\"The harbour will never be the same,\" said the Rev. Per Holm, of the seamen's mission.\n\n\"The rules do not hold,\" said 9/11 widow Kari Strand.\n\n\"They would just go and get them,\" Rep. Anna Berg (R-Ohio), a panel member, said in an interview.");
    assert_eq!(
        find(&qs, "never be the same").speaker.as_deref(),
        Some("Per Holm")
    );
    // Its own cue with a subject we cannot read: nobody, not the last speaker.
    assert_ne!(
        find(&qs, "do not hold").speaker.as_deref(),
        Some("Per Holm")
    );
    assert_eq!(
        find(&qs, "go and get").speaker.as_deref(),
        Some("Anna Berg")
    );
}

#[test]
fn coordinated_named_sources_and_noun_objects_are_no_report() {
    // Two parties declaring together are not one source; "declared a
    // partnership" has an object, not a reported clause.
    let qs = run(
        "Norway and Russia declared a fishing partnership days before the talks opened in Oslo.",
    );
    assert!(qs.is_empty(), "{qs:#?}");
}
