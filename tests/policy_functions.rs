//! Template functions in policy rules, end to end: a rule calls the date,
//! formatting, encoding and collection functions of the ARM template
//! function reference on the resource's values, and the verdict follows
//! the reference's definitions; the functions that read the clock stay
//! refused.

use amlgen::policy::{Context, Definition, Escaping};
use serde_json::{Map, Value, json};

/// Whether a rule `{ value: expr, equals: want }` matches a resource.
fn matches(expr: &str, want: &Value, resource: &Value) -> Result<bool, String> {
    let def = json!({ "properties": { "mode": "All", "policyRule": {
        "if": { "value": expr, "equals": want },
        "then": { "effect": "audit" }
    } } });
    let def = Definition::from_json(&def, Escaping::Auto).map_err(|e| e.message)?;
    def.evaluate(&Map::new(), resource, &Context::default())
        .map(|v| v.matched)
        .map_err(|e| e.message)
}

fn workspace() -> Value {
    json!({
        "type": "Microsoft.MachineLearningServices/workspaces",
        "name": "ws1",
        "location": "westeurope",
        "tags": { "created": "2024-01-31T10:00:00Z", "owner": "data team" }
    })
}

#[test]
fn date_functions_read_a_field_date() {
    let r = workspace();
    let cases = [
        (
            "[dateTimeAdd(field('tags.created'), 'P1M')]",
            json!("2024-02-29T10:00:00Z"),
        ),
        (
            "[addDays(field('tags.created'), -31)]",
            json!("2023-12-31T10:00:00Z"),
        ),
        (
            "[dateTimeToEpoch(field('tags.created'))]",
            json!(1_706_695_200),
        ),
        (
            "[dateTimeFromEpoch(1706695200)]",
            json!("2024-01-31T10:00:00Z"),
        ),
        (
            "[dateTimeAdd(field('tags.created'), 'PT14H', 'yyyy-MM-dd')]",
            json!("2024-02-01"),
        ),
    ];
    for (expr, want) in cases {
        assert_eq!(matches(expr, &want, &r), Ok(true), "{expr} = {want}");
    }
    let err = matches("[dateTimeAdd(field('name'), 'P1D')]", &json!("x"), &r).unwrap_err();
    assert!(err.contains("not an ISO 8601 date"), "{err}");
    let err = matches("[addDays(utcNow(), 1)]", &json!("x"), &r).unwrap_err();
    assert!(err.contains("reads the clock"), "{err}");
}

#[test]
fn string_and_collection_functions() {
    let r = workspace();
    let cases = [
        ("[format('{0}-{1:D3}', field('name'), 7)]", json!("ws1-007")),
        ("[padLeft(field('name'), 5, '0')]", json!("00ws1")),
        (
            "[base64ToString(base64(field('tags.owner')))]",
            json!("data team"),
        ),
        ("[uriComponent(field('tags.owner'))]", json!("data%20team")),
        (
            "[uri('https://example.com/a/b', field('name'))]",
            json!("https://example.com/a/ws1"),
        ),
        (
            "[length(intersection(createArray('westeurope', 'eastus'), array(field('location'))))]",
            json!(1),
        ),
        (
            "[join(union(createArray('a'), createArray('a', 'b')), ',')]",
            json!("a,b"),
        ),
        ("[max(range(1, 5))]", json!(5)),
        ("[tryGet(field('tags'), 'missing')]", Value::Null),
        ("[items(createObject('b', 2, 'a', 1))[0].key]", json!("a")),
    ];
    for (expr, want) in cases {
        assert_eq!(matches(expr, &want, &r), Ok(true), "{expr} = {want}");
    }
    let err = matches("[format('{1}', 'only')]", &json!("x"), &r).unwrap_err();
    assert!(err.contains("references argument index 1"), "{err}");
}
