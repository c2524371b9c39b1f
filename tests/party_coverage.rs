//! What the shipped party dictionary covers: every UN member state and the
//! two observer states, found by name and demonym; the names that contain or
//! resemble other names go to the right party; capitals that are English
//! words, first names or other places are not forms at all; the regional
//! bodies list their members by party name.

mod support;

use stancekit::parties::{PartyDict, PartyKind};
use support::{assert_no_panic, json_lines, run, write};

/// ISO 3166-1 alpha-3 codes of the 193 UN member states.
const UN_MEMBERS: &str = "AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ \
    BEN BTN BOL BIH BWA BRA BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG CRI CIV HRV \
    CUB CYP CZE PRK COD DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU \
    GHA GRC GRD GTM GIN GNB GUY HTI HND HUN ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR \
    KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG \
    MNE MAR MOZ MMR NAM NRU NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL PRT \
    QAT KOR MDA ROU RUS RWA KNA LCA VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD \
    ESP LKA SDN SUR SWE CHE SYR TJK THA TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA USA URY \
    UZB VUT VEN VNM YEM ZMB ZWE";

/// The observer states: the Holy See and the State of Palestine (written
/// as the Palestinian Authority's entry).
const OBSERVERS: [&str; 2] = ["VAT", "PSE"];

/// Members whose every demonym is shared with another state or a region,
/// so the dictionary gives them none (see the comments in the file).
const NO_DEMONYM: [&str; 4] = [
    "Republic of the Congo",
    "Central African Republic",
    "Dominica",
    "Micronesia",
];

fn dict() -> &'static PartyDict {
    PartyDict::embedded()
}

fn state_with_code(code: &str) -> usize {
    let d = dict();
    let found: Vec<usize> = (0..d.parties().len())
        .filter(|&i| d.party(i).code == code && d.party(i).kind == PartyKind::State)
        .collect();
    assert_eq!(found.len(), 1, "one state with code {code}: {found:?}");
    found[0]
}

/// (surface, party name) of every mention in `text`.
fn mentions(text: &str) -> Vec<(String, String)> {
    let d = dict();
    d.find_mentions(text)
        .into_iter()
        .map(|m| {
            (
                text[m.start..m.end].to_string(),
                d.party(m.party).name.clone(),
            )
        })
        .collect()
}

/// Whether `form`, alone, is one mention of party `name` covering all of it.
fn resolves_whole(form: &str, name: &str) -> bool {
    mentions(form) == vec![(form.to_string(), name.to_string())]
}

#[test]
fn the_list_of_un_members_has_193_distinct_codes() {
    let codes: std::collections::BTreeSet<&str> = UN_MEMBERS.split_whitespace().collect();
    assert_eq!(codes.len(), 193);
    assert_eq!(UN_MEMBERS.split_whitespace().count(), 193);
}

#[test]
fn every_un_member_and_observer_state_has_one_state_entry() {
    for code in UN_MEMBERS.split_whitespace().chain(OBSERVERS) {
        let p = dict().party(state_with_code(code));
        assert!(p.members.is_empty(), "{}: states list no members", p.name);
    }
}

#[test]
fn every_un_member_state_resolves_by_its_name() {
    for code in UN_MEMBERS.split_whitespace() {
        let name = &dict().party(state_with_code(code)).name;
        assert!(resolves_whole(name, name), "{name}: {:?}", mentions(name));
        let sentence = format!("Officials said {name}'s government would respond.");
        assert!(
            mentions(&sentence).contains(&(name.clone(), name.clone())),
            "{name} in a sentence: {:?}",
            mentions(&sentence)
        );
    }
}

#[test]
fn every_un_member_state_resolves_by_each_of_its_demonyms() {
    for code in UN_MEMBERS.split_whitespace() {
        let p = dict().party(state_with_code(code));
        if NO_DEMONYM.contains(&p.name.as_str()) {
            assert!(
                p.demonyms.is_empty(),
                "{}: documented as having none",
                p.name
            );
            continue;
        }
        assert!(!p.demonyms.is_empty(), "{} has no demonym", p.name);
        for dem in &p.demonyms {
            assert!(resolves_whole(dem, &p.name), "{dem}: {:?}", mentions(dem));
        }
    }
}

#[test]
fn names_inside_longer_names_go_to_the_longer_name() {
    for (text, want) in [
        (
            "Papua New Guinea, Equatorial Guinea, Guinea-Bissau and Guinea",
            vec![
                ("Papua New Guinea", "Papua New Guinea"),
                ("Equatorial Guinea", "Equatorial Guinea"),
                ("Guinea-Bissau", "Guinea-Bissau"),
                ("Guinea", "Guinea"),
            ],
        ),
        (
            "Papua New Guinean, Bissau-Guinean and Guinean officials",
            vec![
                ("Papua New Guinean", "Papua New Guinea"),
                ("Bissau-Guinean", "Guinea-Bissau"),
                ("Guinean", "Guinea"),
            ],
        ),
        (
            "Niger, Nigeria, Nigerien and Nigerian troops",
            vec![
                ("Niger", "Niger"),
                ("Nigeria", "Nigeria"),
                ("Nigerien", "Niger"),
                ("Nigerian", "Nigeria"),
            ],
        ),
        (
            "Sudan and South Sudan; Sudanese and South Sudanese",
            vec![
                ("Sudan", "Sudan"),
                ("South Sudan", "South Sudan"),
                ("Sudanese", "Sudan"),
                ("South Sudanese", "South Sudan"),
            ],
        ),
        (
            "Dominica and the Dominican Republic, where Dominicans voted",
            vec![
                ("Dominica", "Dominica"),
                ("Dominican Republic", "Dominican Republic"),
                ("Dominicans", "Dominican Republic"),
            ],
        ),
        (
            "the Republic of the Congo, the Democratic Republic of the Congo, Congo-Brazzaville, Brazzaville and Congo",
            vec![
                ("Republic of the Congo", "Republic of the Congo"),
                ("Democratic Republic of the Congo", "DR Congo"),
                ("Congo-Brazzaville", "Republic of the Congo"),
                ("Brazzaville", "Republic of the Congo"),
                ("Congo", "DR Congo"),
            ],
        ),
        (
            "Samoa, Samoans and American Samoa",
            vec![
                ("Samoa", "Samoa"),
                ("Samoans", "Samoa"),
                ("American Samoa", "United States"),
            ],
        ),
        (
            "Ireland and Northern Ireland; Irish and Northern Irish voters",
            vec![
                ("Ireland", "Ireland"),
                ("Northern Ireland", "United Kingdom"),
                ("Irish", "Ireland"),
                ("Northern Irish", "United Kingdom"),
            ],
        ),
        (
            "Mongolia and Inner Mongolia",
            vec![("Mongolia", "Mongolia"), ("Inner Mongolia", "China")],
        ),
        (
            "Benin and Benin City",
            vec![("Benin", "Benin"), ("Benin City", "Nigeria")],
        ),
        (
            "Micronesia and the Federated States of Micronesia",
            vec![
                ("Micronesia", "Micronesia"),
                ("Federated States of Micronesia", "Micronesia"),
            ],
        ),
        (
            "I-Kiribati and Ni-Vanuatu leaders met in Nuku'alofa",
            vec![
                ("I-Kiribati", "Kiribati"),
                ("Ni-Vanuatu", "Vanuatu"),
                ("Nuku'alofa", "Tonga"),
            ],
        ),
        (
            "the Commonwealth of Independent States and the Commonwealth",
            vec![
                (
                    "Commonwealth of Independent States",
                    "Commonwealth of Independent States",
                ),
                ("Commonwealth", "Commonwealth of Nations"),
            ],
        ),
    ] {
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(s, p)| (s.to_string(), p.to_string()))
            .collect();
        assert_eq!(mentions(text), want, "{text}");
    }
}

#[test]
fn capitals_that_are_words_names_or_other_places_are_not_forms() {
    for text in [
        "Male",
        "Victoria",
        "Kingston",
        "Nassau",
        "Praia",
        "San Jose",
        "Georgetown",
        "Moroni",
        "Wellington",
        "Santiago",
        "New Guinea's",
        "Papua",
        "CAR",
        "PIF",
        "CIS",
        "FSM",
        "Turkmen",
        "Central African",
        "Micronesian",
        "Saint Vincent",
        "St. John's",
        "St. George's",
    ] {
        let found = mentions(text);
        // "New Guinea" holds "Guinea", a documented residual match.
        let found: Vec<_> = found.into_iter().filter(|(s, _)| s != "Guinea").collect();
        assert!(found.is_empty(), "{text}: {found:?}");
    }
}

#[test]
fn regional_bodies_resolve_by_name_and_acronym_and_list_their_members() {
    let d = dict();
    for (form, name, some_members) in [
        (
            "Pacific Islands Forum",
            "Pacific Islands Forum",
            &["Fiji", "Tuvalu", "Papua New Guinea"][..],
        ),
        ("CARICOM", "CARICOM", &["Jamaica", "Barbados", "Guyana"][..]),
        ("Caribbean Community", "CARICOM", &["Saint Lucia"][..]),
        (
            "IGAD",
            "Intergovernmental Authority on Development",
            &["Djibouti", "Kenya"][..],
        ),
        (
            "SICA",
            "Central American Integration System",
            &["Honduras", "Belize"][..],
        ),
        (
            "Andean Community",
            "Andean Community",
            &["Bolivia", "Peru"][..],
        ),
        (
            "ECCAS",
            "Economic Community of Central African States",
            &["Gabon", "Republic of the Congo", "Central African Republic"][..],
        ),
        (
            "Commonwealth Secretariat",
            "Commonwealth of Nations",
            &["Tonga", "Zambia"][..],
        ),
        (
            "Nordic Council",
            "Nordic Council",
            &["Iceland", "Greenland"][..],
        ),
        ("SAARC", "SAARC", &["Nepal", "Sri Lanka", "Bhutan"][..]),
        ("APEC", "APEC", &["Brunei", "Taiwan"][..]),
        ("OECD", "OECD", &["Costa Rica", "Israel"][..]),
        ("ASEAN", "ASEAN", &["Laos", "Brunei", "Timor-Leste"][..]),
        ("ECOWAS", "ECOWAS", &["Togo", "Benin", "Cape Verde"][..]),
    ] {
        assert!(resolves_whole(form, name), "{form}: {:?}", mentions(form));
        let p = d.party(d.party_index(name).unwrap());
        assert_eq!(p.kind, PartyKind::Organisation, "{name}");
        for m in some_members {
            assert!(p.members.iter().any(|x| x == m), "{name} lists {m}");
        }
    }
}

#[test]
fn the_shipped_dictionary_loads_without_warnings() {
    // No form listed for two parties, no member that is not a party.
    assert!(dict().warnings.is_empty(), "{:#?}", dict().warnings);
}

#[test]
fn extract_gives_speakers_named_by_tricky_states_the_right_party() {
    let dir = tempfile::tempdir().unwrap();
    let article = write(
        dir.path(),
        "tricky.txt",
        "Papua New Guinea's prime minister said the logging deal \"protects our forests\".\n\n\
         \"Our troops are ready to deploy,\" Chad's army said in a statement.\n\n\
         \"We will take the migrants back,\" a Dominican Republic official said.\n\n\
         \"The vote was fair,\" a Congo-Brazzaville spokesman said.\n"
            .as_bytes(),
    );
    let o = run(&["extract", "--format", "json", &article]);
    assert_no_panic(&o);
    assert!(o.status.success());
    let rows = json_lines(&o);
    let quotes = rows[0]["quotes"].as_array().unwrap();
    for (needle, party) in [
        ("protects our forests", "Papua New Guinea"),
        ("troops are ready", "Chad"),
        ("migrants back", "Dominican Republic"),
        ("vote was fair", "Republic of the Congo"),
    ] {
        let q = quotes
            .iter()
            .find(|q| q["text"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no quote with {needle:?}: {quotes:#?}"));
        assert_eq!(q["speaker_party"], party, "{needle}: {q:#}");
    }
}
