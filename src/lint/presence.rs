//! Which of the tools' languages a repository has, from one walk of its source files: a tool
//! runs only for a language that is there (no ruff on a crate without Python files, whatever
//! configuration files it carries), and the tools of absent languages are not even asked
//! whether the repository uses them (each would walk the tree again).

use std::path::Path;

use super::tool::Language;

/// The languages present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Languages {
    pub rust: bool,
    pub python: bool,
    pub javascript: bool,
    pub go: bool,
}

impl Languages {
    /// The languages of the source files under `root` (in the directories the tools read);
    /// the walk stops once all are found.
    pub fn of(root: &Path) -> Self {
        let mut found = Self::default();
        super::python::visit_sources(root, &mut |rel, _| {
            if let Some(language) = rel.to_str().and_then(Language::of_path) {
                found.add(language);
            }
            !(found.rust && found.python && found.javascript && found.go)
        });
        found
    }

    fn add(&mut self, language: Language) {
        match language {
            Language::Rust => self.rust = true,
            Language::Python => self.python = true,
            Language::JavaScript => self.javascript = true,
            Language::Go => self.go = true,
        }
    }

    pub fn has(self, language: Language) -> bool {
        match language {
            Language::Rust => self.rust,
            Language::Python => self.python,
            Language::JavaScript => self.javascript,
            Language::Go => self.go,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_languages_of_the_sources_the_tools_read() {
        let root = tempfile::tempdir().unwrap();
        let write = |path: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        write("Cargo.toml");
        write("ruff.toml");
        write("src/lib.rs");
        // Dependencies and hidden directories are not the repository's sources.
        write("node_modules/pkg/index.js");
        write(".github/scripts/release.py");
        write("target/debug/build/x/out/gen.go");
        assert_eq!(
            Languages::of(root.path()),
            Languages {
                rust: true,
                ..Languages::default()
            }
        );
        write("tools/web/app.ts");
        write("scripts/bump.py");
        let found = Languages::of(root.path());
        assert!(found.has(Language::JavaScript) && found.has(Language::Python));
        assert!(!found.has(Language::Go));
    }
}
