//! The repository summary: languages with files and code lines, build systems, test layout, size.

use std::collections::{BTreeMap, BTreeSet};

use super::walk::FileRecord;
use crate::artifacts::{LanguageStats, RepoSummary};
use crate::lint::paths::is_test_path;

/// Build files and the build system each one means.
const BUILD_FILES: [(&str, &str); 12] = [
    ("Cargo.toml", "cargo"),
    ("package.json", "npm"),
    ("go.mod", "go modules"),
    ("pyproject.toml", "python (pyproject)"),
    ("setup.py", "python (setuptools)"),
    ("requirements.txt", "pip requirements"),
    ("Makefile", "make"),
    ("CMakeLists.txt", "cmake"),
    ("pom.xml", "maven"),
    ("build.gradle", "gradle"),
    ("build.gradle.kts", "gradle"),
    ("meson.build", "meson"),
];

/// Test directories listed, at most.
const MAX_TEST_DIRS: usize = 10;

pub fn summarize(files: &[FileRecord]) -> RepoSummary {
    let mut languages: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for file in files {
        if let Some(language) = file.language {
            let entry = languages.entry(language).or_default();
            entry.0 += 1;
            entry.1 += u64::from(file.code_lines);
        }
    }
    let mut languages: Vec<LanguageStats> = languages
        .into_iter()
        .map(|(language, (files, code_lines))| LanguageStats {
            language: language.to_owned(),
            files,
            code_lines,
        })
        .collect();
    languages.sort_by(|a, b| {
        b.code_lines
            .cmp(&a.code_lines)
            .then_with(|| a.language.cmp(&b.language))
    });
    RepoSummary {
        languages,
        build_systems: build_systems(files),
        test_layout: test_layout(files),
        total_files: files.len() as u64,
        total_code_lines: files.iter().map(|f| u64::from(f.code_lines)).sum(),
        total_bytes: files.iter().map(|f| f.bytes).sum(),
    }
}

/// Build systems named by build files at the root or one level down (workspaces, monorepos).
fn build_systems(files: &[FileRecord]) -> Vec<String> {
    let mut found = BTreeSet::new();
    for file in files.iter().filter(|f| f.path.matches('/').count() <= 1) {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        if let Some((_, system)) = BUILD_FILES
            .iter()
            .find(|(build_file, _)| *build_file == name)
        {
            found.insert((*system).to_owned());
        }
    }
    found.into_iter().collect()
}

fn test_layout(files: &[FileRecord]) -> Vec<String> {
    let mut directories: BTreeMap<String, usize> = BTreeMap::new();
    let mut inline = 0usize;
    for file in files.iter().filter(|f| f.language.is_some()) {
        if is_test_path(&file.path) {
            let parts: Vec<&str> = file.path.split('/').collect();
            let directory = match parts
                .iter()
                .position(|p| matches!(*p, "tests" | "test" | "__tests__" | "testing"))
            {
                Some(at) => format!("{}/", parts[..=at].join("/")),
                None => "test files beside the code (test_*.py, *_test.go, *.test.ts, *.spec.js)"
                    .to_owned(),
            };
            *directories.entry(directory).or_default() += 1;
        } else if file.has_tests {
            inline += 1;
        }
    }
    let mut by_size: Vec<(String, usize)> = directories.into_iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut layout: Vec<String> = by_size
        .into_iter()
        .take(MAX_TEST_DIRS)
        .map(|(dir, count)| format!("{dir} ({count} files)"))
        .collect();
    if inline > 0 {
        layout.push(format!(
            "tests inside {inline} source files (e.g. #[cfg(test)] modules)"
        ));
    }
    layout
}
