//! The JSON Schemas of every task binary's input and output, as `schemas/` holds them.

use std::path::Path;

use crate::error::Error;

/// (binary name, schema document) for every task binary.
pub fn all() -> Vec<(&'static str, serde_json::Value)> {
    use crate::contract::schema_of;
    use crate::phases;
    // One line per phase binary, in the order of the run.
    vec![
        ("am-setup", schema_of::<phases::setup::Setup>()),
        ("am-context", schema_of::<phases::context::ContextPhase>()),
        ("am-select", schema_of::<phases::select::Select>()),
        ("am-implement", schema_of::<phases::implement::Implement>()),
        ("am-open-pr", schema_of::<phases::open_pr::OpenPr>()),
        ("am-review", schema_of::<phases::review::ReviewPhase>()),
        ("am-evaluate", schema_of::<phases::evaluate::Evaluate>()),
        ("am-persist", schema_of::<phases::persist::Persist>()),
        ("am-reflect", schema_of::<phases::reflect::Reflect>()),
        ("am-cleanup", schema_of::<phases::cleanup::Cleanup>()),
    ]
}

/// Writes `<dir>/<binary>.json` for every binary; returns the files written.
pub fn write_all(dir: &Path) -> Result<Vec<std::path::PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("create {}", dir.display()), e))?;
    let mut written = Vec::new();
    for (name, schema) in all() {
        let path = dir.join(format!("{name}.json"));
        let text = render(&schema)?;
        std::fs::write(&path, text)
            .map_err(|e| Error::io(format!("write {}", path.display()), e))?;
        written.push(path);
    }
    Ok(written)
}

/// The exact text a schema file holds.
pub fn render(schema: &serde_json::Value) -> Result<String, Error> {
    serde_json::to_string_pretty(schema)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| Error::json("render a schema", e))
}

/// The binaries whose schema file in `dir` is missing or differs from the code.
pub fn stale(dir: &Path) -> Result<Vec<String>, Error> {
    let mut stale = Vec::new();
    for (name, schema) in all() {
        let expected = render(&schema)?;
        let actual = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap_or_default();
        if actual != expected {
            stale.push(name.to_owned());
        }
    }
    Ok(stale)
}
