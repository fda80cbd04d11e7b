//! am-context: tags for each language from fixture files, the map within its budget, the tag
//! cache between runs, and issue eligibility against a GitHub API stub.

mod linters;
mod survey;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use automaintainer::analysis::tags::{self, FileTags};
use automaintainer::analysis::{lexical, Language};
use automaintainer::artifacts::{Context, FindingKind};
use automaintainer::context::repo_map::{self, MapInput};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::{Ran, Runner};
use crate::common::git;

fn fixture_tags(name: &str) -> FileTags {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tags")
        .join(name);
    let language = Language::of_path(&path).unwrap();
    tags::extract(language, &std::fs::read(&path).unwrap())
}

fn definitions(tags: &FileTags) -> BTreeSet<(String, String)> {
    tags.definitions
        .iter()
        .map(|d| (d.name.clone(), d.kind.clone()))
        .collect()
}

fn references(tags: &FileTags) -> BTreeSet<&str> {
    tags.references
        .iter()
        .map(|(name, _)| name.as_str())
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn tags_for_rust() {
    let tags = fixture_tags("shapes.rs");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("Circle", "class"),
        ("Area", "interface"),
        ("square", "function"),
        ("describe", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    assert!(
        defs.iter()
            .any(|(name, kind)| name == "area" && kind == "method"),
        "{defs:?}"
    );
    let refs = references(&tags);
    for name in ["square", "area", "Circle", "format"] {
        assert!(refs.contains(name), "{name} in {refs:?}");
    }
    let square = tags
        .definitions
        .iter()
        .find(|d| d.name == "square")
        .unwrap();
    assert_eq!(square.signature, "pub fn square(x: f64) -> f64");
    assert_eq!(square.line, 15);
}

#[test]
fn tags_for_python() {
    let tags = fixture_tags("inventory.py");
    assert_eq!(
        definitions(&tags),
        pairs(&[
            ("Inventory", "class"),
            ("__init__", "function"),
            ("add_item", "function"),
            ("total_count", "function")
        ])
    );
    assert!(references(&tags).contains("total_count"));
    let add = tags
        .definitions
        .iter()
        .find(|d| d.name == "add_item")
        .unwrap();
    assert_eq!(add.signature, "def add_item(self, name, count)");
}

#[test]
fn tags_for_javascript() {
    let tags = fixture_tags("cart.js");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("Cart", "class"),
        ("addLine", "method"),
        ("computeTotal", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    assert!(references(&tags).contains("computeTotal"));
}

#[test]
fn tags_for_typescript() {
    let tags = fixture_tags("user.ts");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("User", "interface"),
        ("greet", "function"),
        ("formatName", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    let refs = references(&tags);
    assert!(
        refs.contains("User") && refs.contains("formatName"),
        "{refs:?}"
    );
    let greet = tags.definitions.iter().find(|d| d.name == "greet").unwrap();
    assert_eq!(greet.signature, "function greet(user: User): string");
}

#[test]
fn tags_for_go() {
    let tags = fixture_tags("server.go");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("Server", "type"),
        ("NewServer", "function"),
        ("Address", "method"),
        ("validate", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    let refs = references(&tags);
    assert!(
        refs.contains("validate") && refs.contains("Server"),
        "{refs:?}"
    );
}

/// Every definition tree-sitter finds in the fixtures the lexical pass finds too (same name,
/// line and kind), and every reference to a name defined in them: the references that become
/// edges.
#[test]
fn the_lexical_pass_finds_what_tree_sitter_finds_in_the_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tags");
    let mut parsed = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let language = Language::of_path(&path).unwrap();
        let source = std::fs::read(&path).unwrap();
        let full = tags::extract(language, &source);
        let lexed = lexical::scan(language, &source).tags;
        parsed.push((path, full, lexed));
    }
    assert_eq!(parsed.len(), 5);
    let defined: BTreeSet<String> = parsed
        .iter()
        .flat_map(|(_, full, _)| full.definitions.iter().map(|d| d.name.clone()))
        .collect();
    for (path, full, lexed) in &parsed {
        let lexical_definitions: BTreeSet<(&str, u32, &str)> = lexed
            .definitions
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.kind.as_str()))
            .collect();
        for d in &full.definitions {
            assert!(
                lexical_definitions.contains(&(d.name.as_str(), d.line, d.kind.as_str())),
                "{}: {d:?} not in {lexical_definitions:?}",
                path.display()
            );
        }
        let lexical_references = references(lexed);
        for name in references(full)
            .into_iter()
            .filter(|n| defined.contains(*n))
        {
            assert!(
                lexical_references.contains(name),
                "{}: {name} not in {lexical_references:?}",
                path.display()
            );
        }
    }
}

/// (path, tree-sitter tags, lexical tags) of every Rust file under this repository's `src/`:
/// real code, written by others than the lexical pass's author's tests.
fn own_sources() -> Vec<(String, FileTags, FileTags)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read(&path).unwrap();
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                files.push((
                    relative,
                    tags::extract(Language::Rust, &source),
                    lexical::scan(Language::Rust, &source).tags,
                ));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() > 100, "{}", files.len());
    files
}

/// On this repository's own sources the lexical pass finds nearly every definition the tags
/// query finds, and nearly every reference that links two files.
#[test]
fn the_lexical_pass_agrees_with_tree_sitter_on_real_code() {
    let files = own_sources();
    let defined: BTreeSet<&str> = files
        .iter()
        .flat_map(|(_, full, _)| full.definitions.iter().map(|d| d.name.as_str()))
        .collect();
    let (mut definitions, mut found_definitions) = (0usize, 0usize);
    let (mut links, mut found_links) = (0usize, 0usize);
    for (_, full, lexed) in &files {
        let lexical: BTreeSet<(&str, u32)> = lexed
            .definitions
            .iter()
            .map(|d| (d.name.as_str(), d.line))
            .collect();
        definitions += full.definitions.len();
        found_definitions += full
            .definitions
            .iter()
            .filter(|d| lexical.contains(&(d.name.as_str(), d.line)))
            .count();
        let lexical_references = references(lexed);
        for name in references(full).into_iter().filter(|n| defined.contains(n)) {
            links += 1;
            found_links += usize::from(lexical_references.contains(name));
        }
    }
    let definition_recall = found_definitions as f64 / definitions as f64;
    let link_recall = found_links as f64 / links as f64;
    assert!(
        definition_recall >= 0.99,
        "{found_definitions} of {definitions} definitions"
    );
    assert!(link_recall >= 0.95, "{found_links} of {links} links");
}

/// Ranked on lexical tags, this repository's own map puts the same files on top as ranked on
/// the tags of a full parse.
#[test]
fn the_lexical_ranking_agrees_with_the_full_parse_one() {
    let files = own_sources();
    let none = HashSet::new();
    let top = |lexical: bool| -> Vec<String> {
        let input = MapInput {
            files: files
                .iter()
                .map(|(path, full, lexed)| (path.as_str(), if lexical { lexed } else { full }))
                .collect(),
            focus_files: &none,
            mentioned: &none,
            budget: 2048,
        };
        let map = repo_map::build(&input, &mut |asked: &[usize]| {
            asked.iter().map(|&i| files[i].1.clone()).collect()
        });
        map.ranked_files
            .iter()
            .take(10)
            .map(|f| f.path.clone())
            .collect()
    };
    let (full, lexical) = (top(false), top(true));
    let shared = full.iter().filter(|p| lexical.contains(p)).count();
    assert!(shared >= 7, "full {full:?}\nlexical {lexical:?}");
}

const TANGLED: &str = "pub fn tangled(values: &[i32]) -> i32 {
    let mut total = 0;
    for v in values {
        if *v > 0 {
            for w in values {
                if *w > *v {
                    if *w % 2 == 0 { total += 1; } else if *w % 3 == 0 { total += 2; } else { total -= 1; }
                }
            }
        } else if *v < -10 {
            while total > 0 { if total % 5 == 0 { break; } total -= 1; }
        }
    }
    total
}
";

/// A repository of many small, linked modules in four languages, cloned by am-setup.
struct Project {
    _root: tempfile::TempDir,
    root: PathBuf,
    remote: PathBuf,
    work: PathBuf,
    cache: PathBuf,
    database_url: String,
}

impl Project {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().to_path_buf();
        let mut files: Vec<(String, String)> = vec![
            ("Cargo.toml".into(), "[package]\nname = \"many\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".into()),
            ("src/core.rs".into(), "/// Shared settings.\npub struct Settings { pub level: u32 }\n\npub fn load_settings() -> Settings {\n    Settings { level: 1 }\n}\n".into()),
            ("tools/report.py".into(), "def build_report(rows):\n    return render_rows(rows)\n\n\ndef render_rows(rows):\n    return len(rows)\n".into()),
            ("web/app.ts".into(), "export function startApp(): number {\n  return 1;\n}\n".into()),
            ("svc/main.go".into(), "package svc\n\nfunc ServeRequests() int {\n\treturn 1\n}\n".into()),
        ];
        for i in 0..60 {
            let body: String = (0..6)
                .map(|j| format!("pub fn handler_{i}_{j}(value: u32) -> u32 {{\n    load_settings().level + value\n}}\n\n"))
                .collect();
            files.push((
                format!("src/module_{i}.rs"),
                format!("use crate::core::load_settings;\n\n{body}"),
            ));
        }
        files.push((
            "src/lib.rs".into(),
            "// TODO: document the modules\npub mod core;\n".into(),
        ));
        files.push(("src/tangled.rs".into(), TANGLED.into()));
        files.push((
            "src/bindings.rs".into(),
            "// @generated by a tool: do not edit.\npub fn generated_binding() -> u32 {\n    crate::core::load_settings().level\n}\n".into(),
        ));
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let work = git::init_repo(&base.join("work"), &borrowed);
        let remote = git::bare_clone(&work, &base.join("remote.git"));
        Self {
            cache: base.join("cache"),
            database_url: automaintainer::store::sqlite_url(&base.join("am.db")),
            root: base,
            _root: root,
            remote,
            work,
        }
    }

    fn run_dir(&self, run: &str) -> PathBuf {
        self.root.join("runs").join(run)
    }

    fn setup(&self, run: &str) {
        Runner::new("am-setup").env("DATABASE_URL", &self.database_url)
            .input_json(&json!({"run_id": run, "run_dir": self.run_dir(run), "repository": self.remote, "cache_dir": self.cache}))
            .run()
            .assert_ok();
    }

    fn context(&self, run: &str, extra: Value) -> Ran {
        let mut input = json!({"run_id": run, "run_dir": self.run_dir(run), "cache_dir": self.cache, "lint": false});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        Runner::new("am-context")
            .env("DATABASE_URL", &self.database_url)
            .input_json(&input)
            .run()
    }

    fn read_context(&self, run: &str) -> Context {
        let text = std::fs::read_to_string(self.run_dir(run).join("context.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

#[test]
fn context_ranks_the_shared_module_first_and_fits_the_map_to_its_budget() {
    let project = Project::new();
    project.setup("run-1");
    let ran = project.context("run-1", json!({"map_tokens": 512}));
    ran.assert_ok();
    let context = project.read_context("run-1");
    let map = &context.repo_map;
    assert_eq!(map.budget, 512);
    assert!(
        map.tokens <= 512 && map.tokens as f64 >= 512.0 * 0.85,
        "{} tokens",
        map.tokens
    );
    assert_eq!(
        map.ranked_files[0].path,
        "src/core.rs",
        "{:?}",
        &map.ranked_files[..3]
    );
    assert!(map.text.starts_with("src/core.rs:\n"), "{}", map.text);
    assert!(map.text.contains("pub fn load_settings() -> Settings"));
    assert!(
        !map.text.contains("bindings.rs")
            && !map.ranked_files.iter().any(|f| f.path == "src/bindings.rs"),
        "a generated file is not mapped"
    );

    let outputs = ran.outputs();
    let text = std::fs::read_to_string(project.run_dir("run-1").join("context.json")).unwrap();
    let written = text.len() as u64;
    assert_eq!(outputs["bytes"], written);
    assert_eq!(
        outputs["estimated_tokens"],
        automaintainer::context::tokens::estimate(&text)
    );
    assert_eq!(
        ran.metric("context_bytes").unwrap()["value"],
        written as f64
    );

    let languages: Vec<&str> = context
        .summary
        .languages
        .iter()
        .map(|l| l.language.as_str())
        .collect();
    for language in ["Rust", "Python", "TypeScript", "Go"] {
        assert!(languages.contains(&language), "{languages:?}");
    }
    assert_eq!(context.summary.build_systems, vec!["cargo"]);
    assert_eq!(context.check_commands, vec!["cargo test"]);
    let todo = context
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Todo)
        .unwrap();
    assert_eq!((todo.path.as_str(), todo.line), ("src/lib.rs", Some(1)));
    assert!(context
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Untested && f.path.starts_with("src/module_")));
    let complex = context
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Complexity)
        .unwrap();
    assert_eq!(
        (complex.path.as_str(), complex.line),
        ("src/tangled.rs", Some(1))
    );
    assert!(
        complex.message.contains("`tangled`") && complex.score.unwrap() >= 15.0,
        "{complex:?}"
    );
    assert_eq!(context.history.recent_commits[0].summary, "initial commit");
    assert!(
        context.issues.is_empty(),
        "a local repository has no issues"
    );
    assert_eq!(
        context.head_commit,
        git::git(&project.work, &["rev-parse", "HEAD"])
    );
}

/// Every file is read lexically, but only the files the map and the findings show are parsed;
/// a second run parses only those that changed.
#[test]
fn a_run_parses_only_what_it_shows_and_a_second_only_what_changed() {
    let project = Project::new();
    project.setup("run-1");
    let cold = project.context("run-1", json!({"map_tokens": 512}));
    cold.assert_ok();
    // core, report, app, main, lib, tangled and 60 modules; not the generated bindings.
    assert_eq!(cold.outputs()["scanned_files"], 66);
    let parsed = cold.outputs()["parsed_files"].as_u64().unwrap();
    let context = project.read_context("run-1");
    let shown = context
        .repo_map
        .text
        .lines()
        .filter(|l| l.ends_with(':'))
        .count() as u64;
    assert!(
        parsed >= shown && parsed < 66 / 2,
        "{parsed} files parsed, {shown} shown"
    );
    assert_eq!(cold.outputs()["cached_files"], 0);

    git::commit_and_push(
        &project.work,
        &project.remote,
        "main",
        &[(
            "src/core.rs",
            "/// Shared settings.\npub struct Settings { pub level: u32 }\n\npub fn load_settings() -> Settings {\n    Settings { level: 2 }\n}\n",
        )],
        "change the shared module's body",
    );
    crate::common::db::end_run(&project.database_url, "run-1");
    project.setup("run-2");
    let warm = project.context("run-2", json!({"map_tokens": 512}));
    warm.assert_ok();
    assert_eq!(warm.outputs()["parsed_files"], 1);
    assert_eq!(warm.outputs()["cached_files"].as_u64().unwrap(), parsed - 1);
    assert_eq!(
        project.read_context("run-2").repo_map.ranked_files[0].path,
        "src/core.rs"
    );
}

/// With the linters off am-context runs none of the repository's code, so it needs no sandbox
/// (a `required` one with no bwrap on the PATH is no failure), and it reads the clone through
/// git alone: HEAD and the origin URL are the clone's.
#[test]
fn context_without_linters_needs_no_sandbox_and_reads_head_and_origin_through_git() {
    let project = Project::new();
    project.setup("run-1");
    let git_only = project.root.join("git-only");
    std::fs::create_dir_all(&git_only).unwrap();
    let git_program = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|dir| dir.join("git"))
        .find(|candidate| candidate.is_file())
        .unwrap();
    std::os::unix::fs::symlink(git_program, git_only.join("git")).unwrap();
    let input = json!({"run_id": "run-1", "run_dir": project.run_dir("run-1"),
                       "cache_dir": project.cache, "lint": false, "sandbox": "required"});
    Runner::new("am-context")
        .env("DATABASE_URL", &project.database_url)
        .env("PATH", &git_only)
        .input_json(&input)
        .run()
        .assert_ok();
    let context = project.read_context("run-1");
    let clone = project.run_dir("run-1").join("repo");
    assert_eq!(
        context.head_commit,
        git::git(&clone, &["rev-parse", "HEAD"])
    );
    assert_eq!(
        context.repository,
        git::git(&clone, &["remote", "get-url", "origin"])
    );
    assert_eq!(
        context.history.recent_commits[0].id, context.head_commit,
        "the history starts at HEAD"
    );
}

#[test]
fn context_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let ran = Runner::new("am-context")
        .input_json(&json!({"run_id": "r", "run_dir": dir.path()}))
        .run();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("field `clone_path`"), "{}", ran.stderr);
    let ran = Runner::new("am-context")
        .input_json(&json!({"run_id": "r", "run_dir": dir.path(), "forge": "gitlab"}))
        .run();
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("field `forge`"), "{}", ran.stderr);
}

fn issue(number: u64, extra: Value) -> Value {
    let mut issue = json!({
        "number": number,
        "title": format!("Issue {number}"),
        "body": format!("Body of issue {number}"),
        "state": "open",
        "locked": false,
        "assignee": null,
        "assignees": [],
        "labels": [{"name": "bug"}],
        "author_association": "OWNER",
        "user": {"login": "octo"},
        "html_url": format!("https://github.com/o/r/issues/{number}"),
    });
    issue
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    issue
}

/// GitHub lists closed, assigned, locked, pull-request, outsider and excluded-label issues too
/// (a stub does what it is told); only #1 and #9 are eligible, #9 on the second page, its long
/// body truncated; #5 has an open pull request linked in its timeline.
#[tokio::test(flavor = "multi_thread")]
async fn eligible_issues_from_a_github_stub() {
    let server = MockServer::start().await;
    let page_two = format!(
        "{}/repositories/1/issues?state=open&per_page=100&page=2",
        server.uri()
    );
    let first_page = json!([
        issue(
            1,
            json!({"body": "handler_7_2 in src/module_7.rs overflows on large values."})
        ),
        issue(2, json!({"state": "closed"})),
        issue(
            3,
            json!({"assignees": [{"login": "someone"}], "assignee": {"login": "someone"}})
        ),
        issue(4, json!({"locked": true})),
        issue(5, json!({})),
        issue(6, json!({"author_association": "NONE"})),
        issue(
            7,
            json!({"pull_request": {"url": "https://api.github.com/repos/o/r/pulls/7"}})
        ),
        issue(8, json!({"labels": [{"name": "wontfix"}]})),
    ]);
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues"))
        .and(query_param("state", "open"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "Link",
                    format!("<{page_two}>; rel=\"next\", <{page_two}>; rel=\"last\"").as_str(),
                )
                .set_body_json(first_page),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repositories/1/issues"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([issue(
            9,
            json!({"body": "x".repeat(5000), "author_association": "MEMBER"})
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues/5/timeline"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"event": "cross-referenced", "source": {"issue": {"number": 10, "state": "open", "pull_request": {"url": "x"}}}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/repos/o/r/issues/\d+/timeline$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"event": "labeled"}])))
        .mount(&server)
        .await;

    let project = Project::new();
    project.setup("run-gh");
    let uri = server.uri();
    let ran = {
        let input = json!({"repository": "https://github.com/o/r", "github_api_url": uri, "forge": "github"});
        let project_run = project.run_dir("run-gh");
        let cache = project.cache.clone();
        let database_url = project.database_url.clone();
        tokio::task::spawn_blocking(move || {
            let mut full = json!({"run_id": "run-gh", "run_dir": project_run, "cache_dir": cache, "lint": false});
            full.as_object_mut().unwrap().extend(input.as_object().unwrap().clone());
            Runner::new("am-context").env("DATABASE_URL", &database_url).env("GITHUB_TOKEN", "ghp_stubtoken0123456789abcdefghijklmnopq").input_json(&full).run()
        })
        .await
        .unwrap()
    };
    ran.assert_ok();
    assert_eq!(ran.outputs()["issues"], 2);
    let context = project.read_context("run-gh");
    let numbers: Vec<u64> = context.issues.iter().map(|i| i.number).collect();
    assert_eq!(numbers, vec![1, 9]);
    assert!(context.issues.iter().all(|i| i.untrusted));
    let long = &context.issues[1];
    assert!(
        long.body_truncated && long.body.chars().count() < 2100,
        "{}",
        long.body.len()
    );
    assert!(!context.issues[0].body_truncated);
    // The issue names src/module_7.rs, which the map favours over its otherwise identical peers.
    let rank = |path: &str| {
        context
            .repo_map
            .ranked_files
            .iter()
            .find(|f| f.path == path)
            .unwrap()
            .rank
    };
    assert!(rank("src/module_7.rs") > rank("src/module_8.rs") * 2.0);
}
