//! Keeping the conversation within a small model's context: tool results older than the last
//! few rounds are replaced, in what is sent (the transcript keeps them whole), by a line saying
//! they were elided; the model can call the tool again.

use crate::llm::conversation::Message;

/// Rounds of tool results sent whole.
pub const KEEP_RECENT_ROUNDS: usize = 4;
/// Results up to this many characters are always sent whole.
const SMALL_RESULT_CHARS: usize = 240;

/// Elides the long results of all but the last `keep` rounds of tool results in `messages`.
pub fn elide_old_results(messages: &mut [Message], keep: usize) {
    let rounds = messages
        .iter()
        .filter(|m| matches!(m, Message::Results(_)))
        .count();
    let mut to_elide = rounds.saturating_sub(keep);
    for message in messages.iter_mut() {
        if to_elide == 0 {
            break;
        }
        if let Message::Results(results) = message {
            to_elide -= 1;
            for result in results.iter_mut() {
                let chars = result.content.chars().count();
                if chars > SMALL_RESULT_CHARS && !result.content.starts_with(ELIDED) {
                    result.content = format!(
                        "{ELIDED} ({chars} characters, shown in an earlier turn; call the tool again if you need it)"
                    );
                }
            }
        }
    }
}

const ELIDED: &str = "[elided to save room]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::conversation::ToolResult;

    fn round(text: &str) -> Message {
        Message::Results(vec![ToolResult {
            call_id: "c".into(),
            content: text.to_owned(),
            is_error: false,
        }])
    }

    #[test]
    fn only_long_old_results_are_elided() {
        let long = "x".repeat(1000);
        let mut messages = vec![
            Message::User("task".into()),
            round(&long),
            round("short"),
            round(&long),
            round(&long),
        ];
        elide_old_results(&mut messages, 2);
        let contents: Vec<String> = messages
            .iter()
            .filter_map(|m| match m {
                Message::Results(r) => Some(r[0].content.clone()),
                _ => None,
            })
            .collect();
        assert!(contents[0].starts_with(ELIDED) && contents[0].contains("1000 characters"));
        assert_eq!(contents[1], "short");
        assert_eq!(contents[2], long);
        assert_eq!(contents[3], long);
        let before = messages.clone();
        elide_old_results(&mut messages, 2);
        assert_eq!(messages, before, "eliding again changes nothing");
    }
}
