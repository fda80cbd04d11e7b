//! A GitHub API stand-in (wiremock): matchers that check the token, a small stateful fake of
//! the pull request endpoints, so a retried run meets the PR an earlier run opened, and a PR's
//! reviews served in pages linked as GitHub links them.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

/// The token the binaries get as GITHUB_TOKEN; every stub requires it.
pub const TOKEN: &str = "stub-token-4f1c9a7e";
pub const OWNER: &str = "octo";
pub const NAME: &str = "hello";

pub fn repository_url() -> String {
    format!("https://github.com/{OWNER}/{NAME}")
}

/// A mock for `verb path` that only answers requests carrying the token.
pub fn authed(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(bearer_token(TOKEN))
}

pub fn repo_path(rest: &str) -> String {
    format!("/repos/{OWNER}/{NAME}{rest}")
}

/// A pull request as GitHub lists it.
pub fn pull(number: u64, branch: &str, state: &str, merged: bool) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/{OWNER}/{NAME}/pulls/{number}"),
        "id": 1000 + number,
        "number": number,
        "state": state,
        "html_url": format!("https://github.com/{OWNER}/{NAME}/pull/{number}"),
        "merged_at": if merged { json!("2026-11-20T10:00:00Z") } else { Value::Null },
        "head": { "ref": branch, "sha": "0000000000000000000000000000000000000000" },
        "base": { "ref": "main", "sha": "1111111111111111111111111111111111111111" },
        "title": "earlier",
    })
}

/// The pull request endpoints of one repository, with memory: `GET /pulls` lists what `POST
/// /pulls` created (filtered by `head`).
#[derive(Clone, Default)]
pub struct FakePulls {
    pub pulls: Arc<Mutex<Vec<Value>>>,
}

impl FakePulls {
    pub fn with(pulls: Vec<Value>) -> Self {
        Self {
            pulls: Arc::new(Mutex::new(pulls)),
        }
    }

    /// Mounts list, create, update and label endpoints on `server`.
    pub async fn mount(&self, server: &MockServer) {
        authed("GET", &repo_path("/pulls"))
            .respond_with(List(self.clone()))
            .mount(server)
            .await;
        authed("POST", &repo_path("/pulls"))
            .respond_with(Create(self.clone()))
            .mount(server)
            .await;
        Mock::given(method("PATCH"))
            .and(wiremock::matchers::path_regex(
                r"^/repos/octo/hello/pulls/\d+$",
            ))
            .and(bearer_token(TOKEN))
            .respond_with(Update(self.clone()))
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::path_regex(
                r"^/repos/octo/hello/issues/\d+/labels$",
            ))
            .and(bearer_token(TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(server)
            .await;
    }
}

struct List(FakePulls);
struct Create(FakePulls);
struct Update(FakePulls);

impl Respond for List {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let head = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "head")
            .map(|(_, v)| v.into_owned());
        let pulls = self.0.pulls.lock().unwrap();
        let listed: Vec<Value> = pulls
            .iter()
            .filter(|p| {
                head.as_deref().is_none_or(|h| {
                    h == format!("{OWNER}:{}", p["head"]["ref"].as_str().unwrap_or_default())
                })
            })
            .cloned()
            .collect();
        ResponseTemplate::new(200).set_body_json(listed)
    }
}

impl Respond for Create {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().unwrap();
        let mut pulls = self.0.pulls.lock().unwrap();
        let number = pulls
            .iter()
            .filter_map(|p| p["number"].as_u64())
            .max()
            .unwrap_or(0)
            + 1;
        let mut pr = pull(number, body["head"].as_str().unwrap(), "open", false);
        pr["title"] = body["title"].clone();
        pr["body"] = body["body"].clone();
        pr["draft"] = body["draft"].clone();
        pulls.push(pr.clone());
        ResponseTemplate::new(201).set_body_json(pr)
    }
}

impl Respond for Update {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let number: u64 = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let body: Value = request.body_json().unwrap();
        let mut pulls = self.0.pulls.lock().unwrap();
        let Some(pr) = pulls.iter_mut().find(|p| p["number"] == number) else {
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        for key in ["title", "body", "state"] {
            if !body[key].is_null() {
                pr[key] = body[key].clone();
            }
        }
        ResponseTemplate::new(200).set_body_json(pr.clone())
    }
}

/// A review as GitHub lists it; `association` is the reviewer's role (`MEMBER`, `NONE`, ...).
pub fn review(id: u64, login: &str, state: &str, body: &str, association: &str, at: &str) -> Value {
    json!({
        "id": id,
        "node_id": format!("PRR_{id}"),
        "user": { "login": login, "id": id + 500, "type": "User" },
        "body": body,
        "state": state,
        "html_url": format!("https://github.com/{OWNER}/{NAME}/pull/7#pullrequestreview-{id}"),
        "commit_id": "0000000000000000000000000000000000000000",
        "author_association": association,
        "submitted_at": at,
    })
}

/// Serves `reviews` at `GET /repos/octo/hello/pulls/{number}/reviews`, `per_page` at a time
/// (whatever the client asks for), with GitHub's `Link: <...>; rel="next"` header between pages.
pub async fn mount_reviews(server: &MockServer, number: u64, reviews: Vec<Value>, per_page: usize) {
    authed("GET", &repo_path(&format!("/pulls/{number}/reviews")))
        .respond_with(ReviewPages {
            base: server.uri(),
            reviews,
            per_page,
        })
        .mount(server)
        .await;
}

struct ReviewPages {
    /// The server's own address: the URLs wiremock hands a responder lack the port.
    base: String,
    reviews: Vec<Value>,
    per_page: usize,
}

impl Respond for ReviewPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let items: Vec<Value> = self
            .reviews
            .iter()
            .skip((page - 1) * self.per_page)
            .take(self.per_page)
            .cloned()
            .collect();
        let mut response = ResponseTemplate::new(200).set_body_json(items);
        if page * self.per_page < self.reviews.len() {
            let next = format!(
                "{}{}?per_page={}&page={}",
                self.base,
                request.url.path(),
                self.per_page,
                page + 1
            );
            response = response.insert_header("link", format!("<{next}>; rel=\"next\""));
        }
        response
    }
}

/// The requests the server received with this method and path.
pub async fn requests(server: &MockServer, verb: &str, route: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == route)
        .collect()
}
