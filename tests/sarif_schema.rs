//! `render::sarif` output validates against the published SARIF 2.1.0 JSON
//! schema, vendored unmodified in `tests/data/` (see `tests/data/README.md`).

use std::path::Path;

use amlgen::diag::render;
use amlgen::diag::{Code, Diagnostic, Severity};
use amlgen::source::{SourceFile, SourceMap};
use amlgen::span::Span;
use jsonschema::Validator;
use serde_json::Value;

const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sarif-schema-2.1.0.json"
);

/// The vendored schema, byte for byte. Panics (never skips) when it is
/// missing or is not the SARIF 2.1.0 schema.
fn published_schema() -> Value {
    let path = Path::new(SCHEMA_PATH);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "the SARIF 2.1.0 schema must be vendored at {}: {e} (see tests/data/README.md)",
            path.display()
        )
    });
    let schema: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
        "{} is not the SARIF 2.1.0 schema",
        path.display()
    );
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
    for def in ["run", "result", "location", "region", "artifactLocation"] {
        assert!(
            schema["definitions"][def].is_object(),
            "the vendored schema has no `{def}` definition: is it complete?"
        );
    }
    schema
}

/// The vendored schema with its one known flaw repaired in memory.
///
/// In `definitions/region` the `anyOf` (a region has `startLine`,
/// `charOffset` or `byteOffset`, SARIF 2.1.0 §3.30.2) sits inside
/// `properties`, so it declares a property named `anyOf` whose schema is an
/// array. Every JSON Schema draft rejects that, and `jsonschema` refuses to
/// compile the document. We move it to where it was meant to be, which makes
/// validation stricter, not looser; the file on disk stays unmodified. If
/// upstream fixes the schema, this panics so the workaround can go.
fn schema() -> Value {
    let mut schema = published_schema();
    let region = schema["definitions"]["region"]
        .as_object_mut()
        .expect("`definitions/region` is an object");
    let misplaced = region["properties"]
        .as_object_mut()
        .expect("`definitions/region/properties` is an object")
        .remove("anyOf")
        .expect(
            "`definitions/region/properties/anyOf` is gone: the vendored schema \
             changed, drop this workaround",
        );
    assert!(misplaced.is_array(), "the misplaced `anyOf` is an array");
    assert!(
        region.insert("anyOf".to_owned(), misplaced).is_none(),
        "`definitions/region` already has an `anyOf`"
    );
    schema
}

/// A validator for the vendored schema that also checks `format` (`uri`,
/// `uri-reference`), which draft 2020-12 otherwise treats as annotation only.
fn validator() -> Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap_or_else(|e| panic!("the vendored SARIF schema does not compile: {e}"))
}

/// Every schema violation in `doc`, one per line, with its instance path.
fn violations(validator: &Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| {
            format!(
                "at `{}`: {e} (schema keyword `{}`)",
                e.instance_path(),
                e.schema_path()
            )
        })
        .collect()
}

/// Parses SARIF text and asserts it validates, printing every error.
fn assert_valid(sarif: &str) -> Value {
    let doc: Value = serde_json::from_str(sarif)
        .unwrap_or_else(|e| panic!("render::sarif produced invalid JSON: {e}\n{sarif}"));
    let errors = violations(&validator(), &doc);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("SARIF schema violation {e}");
        }
        panic!(
            "render::sarif output violates the SARIF 2.1.0 schema ({} error(s), listed above); document:\n{sarif}",
            errors.len()
        );
    }
    doc
}

const MAIN: &str = "workspace \"ws\" {\n  isolaton = \"allow-only-approved-outbound\"\n  outbound {\n    fqdn \"pypi\" { destination = \"pypi.org\" }\n";

const SHARED: &str =
    "# réseau partagé\nlet sub = \"Ünïcødé-東京\"\nrule \"x\" { fqdn = \"*.example.com\" }";

/// Two files, the second with a space and non-ASCII characters in its name,
/// and diagnostics of every severity and shape.
fn fixture() -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::default();
    let main = sources.add(SourceFile::new("main.aml", MAIN));
    let shared = sources.add(SourceFile::new("shared/réseau partagé 東京.aml", SHARED));
    let at = |file, text: &str, needle: &str| {
        let start = text.find(needle).expect("needle is in the fixture");
        Span::new(file, start, start + needle.len())
    };

    let diags = vec![
        // Error with a primary label, a same-file label, a note and help.
        Diagnostic::new(
            Code::UnknownSetting,
            at(main, MAIN, "isolaton"),
            "unknown setting `isolaton` in `workspace`",
        )
        .label("not a workspace setting")
        .with_label(at(main, MAIN, "workspace"), "in this workspace")
        .note("settings are case-sensitive")
        .suggest("isolaton", ["isolation", "outbound", "region"]),
        // Warning in the file with a space and non-ASCII name, with a label in
        // another file.
        Diagnostic::new(
            Code::FqdnFirewallCost,
            at(shared, SHARED, "fqdn = \"*.example.com\""),
            "FQDN rules deploy a managed Azure Firewall",
        )
        .with_label(at(main, MAIN, "fqdn \"pypi\""), "another FQDN rule")
        .note("the firewall is billed per hour")
        .help("use a private endpoint rule where the target supports one"),
        // Note whose span is all multi-byte characters.
        Diagnostic::new(
            Code::CrossSubscriptionTarget,
            at(shared, SHARED, "Ünïcødé-東京"),
            "the target is in another subscription",
        )
        .label("this subscription"),
        // A span over several lines.
        Diagnostic::new(
            Code::UnexpectedToken,
            at(shared, SHARED, "partagé\nlet"),
            "a span across a line break",
        ),
        // A warning code raised to an error, as `--deny` does.
        Diagnostic {
            severity: Severity::Error,
            ..Diagnostic::new(
                Code::ComputeRecreate,
                at(main, MAIN, "allow-only-approved-outbound"),
                "enabling a managed network recreates every compute",
            )
        },
        // Empty span at the very end of a file that ends in a newline.
        Diagnostic::new(
            Code::UnclosedDelimiter,
            Span::new(main, MAIN.len(), MAIN.len()),
            "this file ends before `{` is closed",
        )
        .label("end of file")
        .with_label(at(main, MAIN, "{"), "unclosed delimiter"),
        // Empty span at the very end of a file with no final newline.
        Diagnostic::new(
            Code::UnexpectedToken,
            Span::new(shared, SHARED.len(), SHARED.len()),
            "expected a newline at the end of the file",
        ),
        // No position at all.
        Diagnostic::unplaced(
            Code::InvalidManifest,
            "the previous build's manifest `out/amlgen.lock` cannot be read",
        )
        .note("delete it to start over")
        .help("pass `--manifest` to read another one"),
    ];
    (sources, diags)
}

#[test]
fn vendored_schema_is_present_and_compiles() {
    let _ = validator();
}

#[test]
fn diagnostics_validate_against_sarif_schema() {
    let (sources, diags) = fixture();
    assert_valid(&render::sarif(&diags, &sources));
}

#[test]
fn empty_diagnostic_list_validates() {
    let doc = assert_valid(&render::sarif(&[], &SourceMap::default()));
    let results = doc["runs"][0]["results"]
        .as_array()
        .expect("`results` is present (and empty) for an actual scan");
    assert!(results.is_empty());
}

#[test]
fn one_result_per_diagnostic_with_rule_and_level() {
    let (sources, diags) = fixture();
    let doc = assert_valid(&render::sarif(&diags, &sources));
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("the driver lists its rules");
    let results = run["results"].as_array().expect("`results` is an array");
    assert_eq!(results.len(), diags.len(), "one result per diagnostic");

    for (i, (result, d)) in results.iter().zip(&diags).enumerate() {
        assert_eq!(result["ruleId"], d.code.id(), "results[{i}].ruleId");
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        assert_eq!(result["level"], level, "results[{i}].level");
        let index = result["ruleIndex"]
            .as_u64()
            .unwrap_or_else(|| panic!("results[{i}].ruleIndex is an index"));
        let index = usize::try_from(index).expect("index fits in usize");
        assert_eq!(
            rules[index]["id"],
            d.code.id(),
            "results[{i}].ruleIndex points at its rule"
        );
        let text = result["message"]["text"].as_str().expect("message text");
        assert!(text.starts_with(&d.message), "results[{i}].message.text");
        let locations = result.get("locations").and_then(Value::as_array);
        match d.primary {
            Some(_) => assert_eq!(
                locations.map(Vec::len),
                Some(1),
                "results[{i}] has one location"
            ),
            None => assert!(
                locations.is_none_or(Vec::is_empty),
                "results[{i}] (unplaced) has no location"
            ),
        }
    }
}

#[test]
fn locations_are_uri_references_and_regions() {
    let (sources, diags) = fixture();
    let doc = assert_valid(&render::sarif(&diags, &sources));
    let results = &doc["runs"][0]["results"];
    let physical = |i: usize| &results[i]["locations"][0]["physicalLocation"];

    // Space and non-ASCII characters are percent-encoded UTF-8.
    assert_eq!(
        physical(1)["artifactLocation"]["uri"],
        "shared/r%C3%A9seau%20partag%C3%A9%20%E6%9D%B1%E4%BA%AC.aml"
    );
    assert_eq!(physical(0)["artifactLocation"]["uri"], "main.aml");

    // Columns count characters, not bytes: `Ünïcødé-東京` is 10 characters.
    let region = &physical(2)["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 12);
    assert_eq!(region["endLine"], 2);
    assert_eq!(region["endColumn"], 22);

    // Across a line break.
    let region = &physical(3)["region"];
    assert_eq!(
        (&region["startLine"], &region["endLine"]),
        (&Value::from(1), &Value::from(2))
    );

    // End of a file ending in a newline: the (empty) line after the last.
    let lines = MAIN.lines().count();
    let region = &physical(5)["region"];
    assert_eq!(region["startLine"], lines + 1);
    assert_eq!(region["startColumn"], 1);

    // End of a file with no final newline: just past the last character.
    let last = SHARED.lines().last().expect("fixture has lines");
    let region = &physical(6)["region"];
    assert_eq!(region["startLine"], SHARED.lines().count());
    assert_eq!(region["startColumn"], last.chars().count() + 1);
    assert_eq!(region["endColumn"], last.chars().count() + 1);
}

/// The validator is not vacuous: documents the schema forbids are rejected,
/// with the offending instance path.
#[test]
fn schema_rejects_invalid_sarif() {
    let (sources, diags) = fixture();
    let doc = assert_valid(&render::sarif(&diags, &sources));
    let validator = validator();
    let broken = [
        ("/runs/0/results/0/level", Value::from("fatal")),
        (
            "/runs/0/results/0/locations/0/physicalLocation/region/startLine",
            Value::from(0),
        ),
        ("/version", Value::from("2.0.0")),
        // `format: uri-reference` is checked: a raw space is not allowed.
        (
            "/runs/0/results/1/locations/0/physicalLocation/artifactLocation/uri",
            Value::from("shared/net work.aml"),
        ),
        // The repaired `anyOf`: a region needs startLine, charOffset or byteOffset.
        (
            "/runs/0/results/0/locations/0/physicalLocation/region",
            serde_json::json!({ "startColumn": 3 }),
        ),
    ];
    for (pointer, value) in broken {
        let mut bad = doc.clone();
        *bad.pointer_mut(pointer).expect("pointer exists") = value;
        let errors = violations(&validator, &bad);
        assert!(
            errors.iter().any(|e| e.contains(&format!("`{pointer}`"))),
            "changing {pointer} should violate the schema, got {errors:?}"
        );
    }
    let mut bad = doc;
    bad["runs"][0]["results"][0]["severity"] = Value::from("error");
    assert!(
        !violations(&validator, &bad).is_empty(),
        "an unknown result property should violate the schema"
    );
}

/// `amlgen diff --format sarif` on a drift fixture: the deployed files are
/// artifacts beside the posture, and the document validates.
#[test]
fn drift_diagnostics_validate_against_sarif_schema() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/deployed/drift/public-access-enabled");
    let mut files: Vec<_> = std::fs::read_dir(&case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .arg("diff")
        .arg(case.join("posture.aml"))
        .args(["--format", "sarif", "--deployed"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "drift exits 1");
    let doc = assert_valid(&String::from_utf8(out.stdout).unwrap());
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "AML4201"), "{doc}");
}

/// The driver lists exactly the rules that occur, each with its code page
/// as `help` (text and Markdown), which code scanning shows beside an alert.
#[test]
fn rules_that_occur_carry_their_page_as_help() {
    let (sources, diags) = fixture();
    let doc = assert_valid(&render::sarif(&diags, &sources));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("the driver lists its rules");
    let mut used: Vec<&str> = diags.iter().map(|d| d.code.id()).collect();
    used.sort_unstable();
    used.dedup();
    let listed: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(listed, used, "one rule per code that occurs, in code order");
    for r in rules {
        let code = Code::parse(r["id"].as_str().unwrap()).unwrap();
        let page = amlgen::diag::explain::explanation(code);
        assert!(page.starts_with(&format!("# {}", code.id())), "{page}");
        assert_eq!(r["help"]["text"], page, "{}", code.id());
        assert_eq!(r["help"]["markdown"], page, "{}", code.id());
        // `helpUri` only where there is an absolute link to give (the
        // package's repository URL); the schema wants an absolute URI.
        if let Some(uri) = r.get("helpUri") {
            assert!(uri.as_str().unwrap().starts_with("https://"), "{uri}");
        }
    }
}

/// `helpUri` from a repository URL is the code page in that repository at
/// this version; the schema accepts it, and would reject a relative one.
#[test]
fn help_uri_is_absolute_and_a_relative_one_is_rejected() {
    let uri = render::help_uri_in("https://github.com/example/amlgen/", Code::FqdnFirewallCost)
        .expect("an https repository gives a link");
    assert_eq!(
        uri,
        format!(
            "https://github.com/example/amlgen/blob/v{}/docs/codes/AML3004.md",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(render::help_uri_in("", Code::FqdnFirewallCost), None);
    let (sources, diags) = fixture();
    let mut doc = assert_valid(&render::sarif(&diags, &sources));
    let validator = validator();
    doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from(uri);
    assert!(violations(&validator, &doc).is_empty());
    doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("docs/codes/AML3004.md");
    let errors = violations(&validator, &doc);
    assert!(
        errors.iter().any(|e| e.contains("helpUri")),
        "a relative helpUri should violate `format: uri`: {errors:?}"
    );
}

/// Artifact URIs are relative to the directory amlgen ran in, resolved
/// against `%SRCROOT%` (declared in `originalUriBaseIds`, with no absolute
/// path in it); an absolute name under that directory is made relative, a
/// file outside it is a `file:` URI with no base.
#[test]
fn artifact_uris_are_relative_to_the_source_root() {
    let mut sources = SourceMap::default();
    let names = [
        "/home/ci/repo/postures/a.aml",
        "./postures/./b/../b.aml",
        "/elsewhere/c.aml",
        "C:\\work\\repo\\d.aml",
    ];
    let diags: Vec<Diagnostic> = names
        .iter()
        .map(|n| {
            let id = sources.add(SourceFile::new(*n, "workspace \"w\" {}\n"));
            Diagnostic::new(Code::UnexpectedToken, Span::new(id, 0, 9), "x")
        })
        .collect();
    let doc = assert_valid(&render::sarif_in(
        &diags,
        &sources,
        Some("/home/ci/repo/"),
        None,
    ));
    let run = &doc["runs"][0];
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object(), "{run}");
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"].get("uri").is_none(),
        "no machine's path in the log"
    );
    let at = |i: usize| &run["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        at(0),
        &serde_json::json!({ "uri": "postures/a.aml", "uriBaseId": "%SRCROOT%" })
    );
    assert_eq!(
        at(1),
        &serde_json::json!({ "uri": "postures/b.aml", "uriBaseId": "%SRCROOT%" })
    );
    assert_eq!(
        at(2),
        &serde_json::json!({ "uri": "file:///elsewhere/c.aml" })
    );
    assert_eq!(
        at(3),
        &serde_json::json!({ "uri": "file:///C:/work/repo/d.aml" })
    );
}

/// `amlgen check --format sarif` given an absolute path names the file
/// relative to the directory it ran in.
#[test]
fn cli_sarif_names_files_relative_to_the_working_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(root)
        .arg("check")
        .arg(root.join("tests/ui/rules/fqdn-firewall-cost.aml"))
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = assert_valid(&String::from_utf8(out.stdout).unwrap());
    let at = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(at["uri"], "tests/ui/rules/fqdn-firewall-cost.aml", "{doc}");
    assert_eq!(at["uriBaseId"], "%SRCROOT%");
}

#[test]
fn a_help_uri_base_gives_every_rule_an_absolute_help_uri() {
    let (sources, diags) = fixture();
    let base = "https://github.com/contoso/ml-postures/blob/4f1c2d3/tools/amlgen/docs/codes/";
    let doc = assert_valid(&render::sarif_in(&diags, &sources, None, Some(base)));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert_eq!(r["helpUri"], format!("{base}{id}.md"), "{r}");
        assert!(
            r["help"]["markdown"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // A base that is not an absolute URI, or would put the page's name in
    // a query or fragment, gives no link (and the CLI refuses it).
    for bad in [
        "docs/codes/",
        "/docs/codes/",
        "https://",
        "https:///x",
        "ftp://host/x/",
        "https://host/x?path=",
        "https://host/x#",
        "https://host/a b/",
        "https://host/${{ github.sha }}/",
    ] {
        assert!(!render::valid_help_base(bad), "{bad}");
        assert_eq!(
            render::help_uri_from_base(bad, Code::FqdnFirewallCost),
            None,
            "{bad}"
        );
    }
    assert_eq!(
        render::help_uri_from_base("https://host/codes", Code::FqdnFirewallCost).as_deref(),
        Some("https://host/codes/AML3004.md")
    );
}

/// `amlgen check --format sarif` on a posture that accepts a risk: the
/// accepted finding is a result with an in-source suppression (its
/// justification and the `accept` statement's place), and the document
/// validates.
#[test]
fn accepted_findings_are_suppressed_results() {
    let case = "tests/ui/accept/accepted.aml";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", case, "--format", "sarif", "--today", "2026-12-07"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = assert_valid(&String::from_utf8(out.stdout).unwrap());
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let accepted: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "AML3004")
        .collect();
    assert_eq!(accepted.len(), 1, "{doc}");
    let s = &accepted[0]["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["status"], "accepted");
    assert_eq!(
        s["justification"],
        "Basic firewall approved by FinOps, CHG-1234 (accepted by ml-platform@contoso.com until 2027-06-30)"
    );
    assert_eq!(
        s["location"]["physicalLocation"]["artifactLocation"]["uri"],
        case
    );
    assert_eq!(s["location"]["physicalLocation"]["region"]["startLine"], 21);
}
