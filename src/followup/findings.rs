//! The open, actionable findings on a PR's head commit, from its conversation: CodeRabbit's
//! review of that commit (inline comments that are not nitpicks, outside-diff and unresolved
//! duplicate comments), and reviews and inline comments by people with write access. Commands
//! to the bot (`@coderabbitai review`), its replies to them, replies in threads and this
//! project's own comments are no findings.

use std::collections::BTreeMap;

use crate::artifacts::{FeedbackItem, FindingCategory, Suggestion};
use crate::forge::github::{GitHubApi, GitHubRepo};
use crate::review::coderabbit::activity::{is_bot, Activity, Author};
use crate::review::coderabbit::inline;
use crate::review::coderabbit::notice::{is_command, is_command_reply};
use crate::review::coderabbit::review_body;

/// The longest reviewer text kept per finding.
const MAX_BODY_CHARS: usize = 2000;

/// Whether a login may push to the repository (`admin`, `maintain` or `write`).
pub trait Writers {
    fn can_write(&self, login: &str) -> bool;
}

impl Writers for BTreeMap<String, bool> {
    fn can_write(&self, login: &str) -> bool {
        self.get(login).copied().unwrap_or(false)
    }
}

/// The logins of people (not the bot) whose reviews or inline comments on `head` could be
/// findings: the ones whose permission is worth asking for.
pub fn human_authors(activity: &Activity, head: &str) -> Vec<String> {
    let mut logins: Vec<String> = activity
        .reviews
        .iter()
        .filter(|r| r.commit_id.as_deref() == Some(head) && asks(r))
        .filter(|r| r.body.as_deref().is_some_and(is_feedback))
        .filter_map(|r| human(r.user.as_ref()))
        .chain(
            activity
                .review_comments
                .iter()
                .filter(|c| c.in_reply_to_id.is_none() && on_head(c.commit_id.as_deref(), head))
                .filter(|c| is_feedback(&c.body))
                .filter_map(|c| human(c.user.as_ref())),
        )
        .collect();
    logins.sort();
    logins.dedup();
    logins
}

/// Asks GitHub for each login's permission on the repository; any failure (a user who is no
/// collaborator answers 404) means no write access.
pub async fn writers(
    api: &GitHubApi,
    repo: &GitHubRepo,
    logins: &[String],
) -> BTreeMap<String, bool> {
    let mut map = BTreeMap::new();
    for login in logins {
        let path = format!(
            "/repos/{}/collaborators/{login}/permission",
            repo.full_name()
        );
        let can = match api.get(&path, "read a reviewer's permission").await {
            Ok(found) => {
                let says = |key: &str| {
                    found[key]
                        .as_str()
                        .is_some_and(|p| matches!(p, "admin" | "maintain" | "write"))
                };
                says("permission") || says("role_name")
            }
            Err(e) => {
                tracing::info!(
                    "{login}'s permission is unknown ({e}); their review is not followed"
                );
                false
            }
        };
        map.insert(login.clone(), can);
    }
    map
}

/// Every open, actionable finding on `head`.
pub fn findings(activity: &Activity, head: &str, writers: &dyn Writers) -> Vec<FeedbackItem> {
    let mut items = coderabbit(activity, head);
    items.extend(from_writers(activity, head, writers));
    items
}

fn coderabbit(activity: &Activity, head: &str) -> Vec<FeedbackItem> {
    let reviews: Vec<_> = activity
        .reviews
        .iter()
        .filter(|r| is_bot(r.user.as_ref()) && r.commit_id.as_deref() == Some(head))
        .collect();
    let ids: Vec<u64> = reviews.iter().map(|r| r.id).collect();
    let mut items = Vec::new();
    for comment in activity.review_comments.iter().filter(|c| {
        is_bot(c.user.as_ref())
            && c.in_reply_to_id.is_none()
            && c.pull_request_review_id.is_some_and(|id| ids.contains(&id))
            && !is_command_reply(&c.body)
    }) {
        let parsed = inline::parse(&comment.body);
        if parsed.category == FindingCategory::Nitpick {
            continue;
        }
        let line_end = comment.line.or(comment.original_line);
        let suggestion = parsed
            .committable_suggestion
            .map(Suggestion::Committable)
            .or(parsed.proposed_diff.map(Suggestion::Diff));
        items.push(FeedbackItem {
            id: format!("review-comment-{}", comment.id),
            author: login(comment.user.as_ref()),
            path: comment.path.clone(),
            line_start: comment
                .start_line
                .or(comment.original_start_line)
                .or(line_end),
            line_end,
            title: parsed.title,
            body: parsed.body,
            suggestion,
        });
    }
    for review in reviews {
        let body = review_body::parse(review.body.as_deref().unwrap_or_default());
        for (i, finding) in body
            .findings
            .into_iter()
            .filter(|f| f.section.actionable())
            .enumerate()
        {
            let suggestion = finding.suggestion.map(|text| {
                if looks_like_diff(&text) {
                    Suggestion::Diff(text)
                } else {
                    Suggestion::Committable(text)
                }
            });
            items.push(FeedbackItem {
                id: format!("review-{}-finding-{}", review.id, i + 1),
                author: login(review.user.as_ref()),
                path: finding.path,
                line_start: finding.line_start,
                line_end: finding.line_end,
                title: finding.title,
                body: finding.body,
                suggestion,
            });
        }
    }
    items
}

fn from_writers(activity: &Activity, head: &str, writers: &dyn Writers) -> Vec<FeedbackItem> {
    let may = |user: Option<&Author>| human(user).is_some_and(|l| writers.can_write(&l));
    let mut items: Vec<FeedbackItem> = activity
        .reviews
        .iter()
        .filter(|r| r.commit_id.as_deref() == Some(head) && asks(r) && may(r.user.as_ref()))
        .filter_map(|r| {
            let body = r.body.as_deref().filter(|b| is_feedback(b))?;
            Some(FeedbackItem {
                id: format!("review-{}", r.id),
                author: login(r.user.as_ref()),
                path: None,
                line_start: None,
                line_end: None,
                title: first_line(body),
                body: capped(body),
                suggestion: None,
            })
        })
        .collect();
    items.extend(
        activity
            .review_comments
            .iter()
            .filter(|c| c.in_reply_to_id.is_none() && on_head(c.commit_id.as_deref(), head))
            .filter(|c| may(c.user.as_ref()) && is_feedback(&c.body))
            .map(|c| {
                let line_end = c.line.or(c.original_line);
                FeedbackItem {
                    id: format!("review-comment-{}", c.id),
                    author: login(c.user.as_ref()),
                    path: c.path.clone(),
                    line_start: c.start_line.or(c.original_start_line).or(line_end),
                    line_end,
                    title: first_line(&c.body),
                    body: capped(&c.body),
                    suggestion: crate::review::coderabbit::markup::fenced_block(
                        &c.body,
                        "suggestion",
                    )
                    .map(Suggestion::Committable),
                }
            }),
    );
    items
}

/// A person's text that asks for something: not empty, not a command to a bot, not one of this
/// project's own comments, not chatter ("LGTM", "thanks").
fn is_feedback(body: &str) -> bool {
    let body = body.trim();
    !body.is_empty()
        && !is_command(body)
        && !body.to_lowercase().contains("@coderabbitai")
        && !body.contains(crate::forge::pr_text::BODY_MARKER)
        && !is_chatter(body)
}

/// A short note that asks for nothing.
fn is_chatter(body: &str) -> bool {
    let words: String = body
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '+')
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    words.is_empty()
        || [
            "lgtm",
            "thanks",
            "thank you",
            "looks good",
            "looks good to me",
            "nice",
            "great",
            "+1",
            "ship it",
        ]
        .iter()
        .any(|c| words == *c || words == format!("{c} thanks") || words == format!("{c} lgtm"))
}

/// A review that asks for something: not an approval.
fn asks(review: &crate::review::coderabbit::activity::PrReview) -> bool {
    !review
        .state
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("APPROVED") || s.eq_ignore_ascii_case("DISMISSED"))
}

fn on_head(commit: Option<&str>, head: &str) -> bool {
    commit.is_none_or(|c| c == head)
}

fn human(user: Option<&Author>) -> Option<String> {
    let user = user?;
    (!is_bot(Some(user)) && !user.login.ends_with("[bot]") && !user.login.is_empty())
        .then(|| user.login.clone())
}

fn login(user: Option<&Author>) -> String {
    user.map_or_else(|| "unknown".to_owned(), |u| u.login.clone())
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("```"))
        .unwrap_or("review comment");
    line.chars().take(120).collect()
}

fn capped(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_BODY_CHARS {
        return text.to_owned();
    }
    text.chars().take(MAX_BODY_CHARS).collect::<String>() + "..."
}

/// A unified-diff fragment: every line a `+`, `-`, space or `@@` line, with a change in it.
fn looks_like_diff(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    !lines.is_empty()
        && lines
            .iter()
            .all(|l| l.starts_with(['+', '-', ' ']) || l.starts_with("@@"))
        && lines.iter().any(|l| l.starts_with(['+', '-']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_own_comments_are_not_feedback() {
        assert!(!is_feedback("@coderabbitai review"));
        assert!(!is_feedback("  @CodeRabbitAI pause"));
        assert!(!is_feedback("Thanks! @coderabbitai resolve"));
        assert!(!is_feedback(""));
        assert!(is_feedback("Please rename `load` to `parse`."));
        assert!(!is_feedback("LGTM!"));
        assert!(!is_feedback("Thanks 👍"));
        assert!(!is_feedback("👍"));
        assert!(is_feedback("Thanks, but please add a test."));
        assert!(looks_like_diff("-a\n+b"));
        assert!(!looks_like_diff("let a = 1;"));
    }
}
