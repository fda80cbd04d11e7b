//! Turning what a model answered into the reply type: JSON found inside code fences or between
//! prose, then checked against the type (serde with the JSON path of the first problem; the
//! reply types deny unknown fields, so this is the schema's check too).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::exchange::ReplyBody;

/// The reply as `T`, or one line saying what is wrong with it, for the repair round.
pub fn parse_reply<T: DeserializeOwned>(body: &ReplyBody) -> Result<T, String> {
    let value = match body {
        ReplyBody::Json(value) => value.clone(),
        ReplyBody::Text(text) => extract_json(text)?,
    };
    let value = unwrap_string(value);
    serde_path_to_error::deserialize::<_, T>(&value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            format!("the reply does not match the schema: {inner}")
        } else {
            format!("the reply does not match the schema at `{path}`: {inner}")
        }
    })
}

/// The first JSON object or array in `text`: the whole text, a fenced block, or the first value
/// that parses from the first `{` or `[` on, whatever prose follows it.
fn extract_json(text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("the reply is empty; expected a JSON object".to_owned());
    }
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        return Ok(value);
    }
    let candidates = fenced_blocks(trimmed)
        .into_iter()
        .chain(std::iter::once(trimmed));
    let mut first_error = None;
    for candidate in candidates {
        let Some(start) = candidate.find(['{', '[']) else {
            continue;
        };
        let mut values =
            serde_json::Deserializer::from_str(&candidate[start..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) => return Ok(value),
            Some(Err(e)) => {
                first_error.get_or_insert_with(|| {
                    if e.is_eof() {
                        format!("the JSON in the reply ends early (cut off?): {e}")
                    } else {
                        format!("the reply is not valid JSON: {e}")
                    }
                });
            }
            None => {}
        }
    }
    Err(first_error.unwrap_or_else(|| "the reply holds no JSON object".to_owned()))
}

/// The insides of ``` fences, in order.
fn fenced_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        // The info string (`json`) ends at the first newline.
        let Some(newline) = after.find('\n') else {
            break;
        };
        let body = &after[newline + 1..];
        match body.find("```") {
            Some(close) => {
                blocks.push(&body[..close]);
                rest = &body[close + 3..];
            }
            None => {
                blocks.push(body);
                break;
            }
        }
    }
    blocks
}

/// Some models put the JSON object in a string; parse it when it is one.
fn unwrap_string(value: Value) -> Value {
    match &value {
        Value::String(text) => serde_json::from_str(text.trim()).unwrap_or(value),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Reply {
        title: String,
        files: Vec<String>,
    }

    fn text(t: &str) -> Result<Reply, String> {
        parse_reply::<Reply>(&ReplyBody::Text(t.to_owned()))
    }

    fn expected() -> Reply {
        Reply {
            title: "t".into(),
            files: vec!["a.rs".into()],
        }
    }

    #[test]
    fn plain_fenced_and_surrounded_by_prose() {
        let json = r#"{"title":"t","files":["a.rs"]}"#;
        assert_eq!(text(json).unwrap(), expected());
        assert_eq!(text(&format!("```json\n{json}\n```")).unwrap(), expected());
        assert_eq!(
            text(&format!("Here you go:\n```\n{json}\n```\nHope that helps!")).unwrap(),
            expected()
        );
        assert_eq!(
            text(&format!("Sure! {json} Let me know if you need more.")).unwrap(),
            expected()
        );
        assert_eq!(
            text(&serde_json::to_string(json).unwrap()).unwrap(),
            expected()
        );
    }

    #[test]
    fn problems_say_what_and_where() {
        let e = text(r#"{"title":"t"}"#).unwrap_err();
        assert!(e.contains("missing field `files`"), "{e}");
        let e = text(r#"{"title":"t","files":[1]}"#).unwrap_err();
        assert!(e.contains("at `files[0]`"), "{e}");
        let e = text(r#"{"title":"t","files":[],"extra":1}"#).unwrap_err();
        assert!(e.contains("unknown field `extra`"), "{e}");
        let e = text(r#"{"title":"t","files":["a"#).unwrap_err();
        assert!(e.contains("ends early"), "{e}");
        assert!(text("no json here").unwrap_err().contains("no JSON"));
        assert!(text("   ").unwrap_err().contains("empty"));
    }
}
