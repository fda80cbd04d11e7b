//! The pairs of the score-validity benchmark: per language, a base (real code: the bundled
//! example crate and the tag fixtures of `tests/fixtures/tags`, with a test each), a clean change
//! (input parsing with its test), and the same change with one problem injected.

/// A file's content after a change; None deletes it.
pub type Files = Vec<(&'static str, Option<String>)>;

/// Which component is meant to catch a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    CodeQuality,
    TestCoverage,
    Maintainability,
    Readability,
}

impl Component {
    pub fn name(self) -> &'static str {
        match self {
            Self::CodeQuality => "code_quality",
            Self::TestCoverage => "test_coverage",
            Self::Maintainability => "maintainability",
            Self::Readability => "readability",
        }
    }
}

/// One language's base and changes.
#[derive(Debug)]
pub struct Case {
    pub language: &'static str,
    pub base: Vec<(&'static str, &'static str)>,
    pub clean: Files,
    /// (problem, the component meant to catch it, the changed files with the problem).
    pub worse: Vec<(&'static str, Component, Files)>,
}

fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the case's text has no `{from}`");
    text.replacen(from, to, 1)
}

const RUST_BASE: &str = include_str!("../../examples/demo-repo/src/lib.rs");

fn rust() -> Case {
    let parse = "/// Parses `name=count`, as items are typed in; None when the line is not one.\npub fn parse_item(line: &str) -> Option<Item> {\n    let (name, count) = line.split_once('=')?;\n    let count = count.trim().parse().ok()?;\n    Some(item(name.trim(), count))\n}\n\n#[cfg(test)]";
    let lib = replace(RUST_BASE, "#[cfg(test)]", parse);
    let test = "    #[test]\n    fn parses_typed_items() {\n        assert_eq!(parse_item(\"bolt = 4\").map(|i| i.count), Some(4));\n        assert!(parse_item(\"bolt\").is_none());\n    }\n\n    #[test]\n    fn totals_the_counts()";
    let clean_lib = replace(&lib, "    #[test]\n    fn totals_the_counts()", test);
    let with = |text: String| vec![("src/lib.rs", Some(text))];
    let body = "    let (name, count) = line.split_once('=')?;\n    let count = count.trim().parse().ok()?;\n    Some(item(name.trim(), count))\n";
    Case {
        language: "Rust",
        base: vec![
            ("src/lib.rs", RUST_BASE),
            ("Cargo.toml", "[package]\nname = \"shelf\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ],
        clean: with(clean_lib.clone()),
        worse: vec![
            ("unwrap on input", Component::CodeQuality, with(replace(&clean_lib, "count.trim().parse().ok()?", "count.trim().parse().unwrap()"))),
            ("deeper nesting", Component::Maintainability, with(replace(&clean_lib, body, "    if let Some((name, count)) = line.split_once('=') {\n        if let Ok(count) = count.trim().parse() {\n            if !name.trim().is_empty() {\n                return Some(item(name.trim(), count));\n            }\n        }\n    }\n    None\n"))),
            ("deleted test", Component::TestCoverage, with(replace(&clean_lib, "    #[test]\n    fn totals_the_counts() {\n        let shelf = vec![item(\"bolt\", 2), item(\"nut\", 3)];\n        assert_eq!(total(&shelf), 5);\n        assert!(!is_empty(&shelf));\n        assert!(is_empty(&[]));\n    }\n", ""))),
            ("TODO", Component::CodeQuality, with(replace(&clean_lib, body, &format!("    // TODO: reject negative counts\n{body}")))),
            ("dead code", Component::Maintainability, with(replace(&clean_lib, "#[cfg(test)]", "fn parse_count(text: &str) -> Option<u32> {\n    let trimmed = text.trim();\n    trimmed.parse().ok()\n}\n\n#[cfg(test)]"))),
            ("copy-pasted block", Component::Maintainability, with(replace(&clean_lib, "#[cfg(test)]", "/// Parses `name=count` items, one per line.\npub fn parse_items(text: &str) -> Vec<Item> {\n    let mut items = Vec::new();\n    for line in text.lines() {\n        let Some((name, count)) = line.split_once('=') else { continue };\n        let Ok(count) = count.trim().parse() else { continue };\n        items.push(item(name.trim(), count));\n    }\n    items\n}\n\n/// Parses `name=count` items, one per line, skipping blank ones.\npub fn parse_listed_items(text: &str) -> Vec<Item> {\n    let mut items = Vec::new();\n    for line in text.lines() {\n        let Some((name, count)) = line.split_once('=') else { continue };\n        let Ok(count) = count.trim().parse() else { continue };\n        items.push(item(name.trim(), count));\n    }\n    items\n}\n\n#[cfg(test)]"))),
            ("commented-out block", Component::Readability, with(replace(&clean_lib, body, &format!("    // let count: u32 = count.parse().unwrap_or(0);\n    // if count == 0 {{\n    //     return None;\n    // }}\n{body}")))),
            ("secret-looking string", Component::CodeQuality, with(replace(&clean_lib, "/// Parses `name=count`", "const API_KEY: &str = \"sk_live_4f9a8b7c6d5e4f3a2b1c0d9e\";\n\n/// Parses `name=count`"))),
            ("no test", Component::TestCoverage, with(lib)),
        ],
    }
}

const PY_BASE: &str = include_str!("../../tests/fixtures/tags/inventory.py");
const PY_TEST: &str = "from inventory import Inventory\n\n\ndef test_add_item_counts_all_items():\n    inventory = Inventory()\n    inventory.add_item(\"bolt\", 2)\n    assert inventory.add_item(\"nut\", 3) == 5\n";

fn python() -> Case {
    let body = "    name, sep, count = line.partition(\"=\")\n    if not sep or not count.strip().isdigit():\n        return None\n    return name.strip(), int(count)\n";
    let module = format!("{PY_BASE}\n\ndef parse_item(line):\n    \"\"\"Parses `name=count` as items are typed in; None when the line is not one.\"\"\"\n{body}");
    let test = format!("{PY_TEST}\n\ndef test_parse_item_reads_typed_lines():\n    assert parse_item(\"bolt = 4\") == (\"bolt\", 4)\n    assert parse_item(\"bolt\") is None\n");
    let test = replace(
        &test,
        "from inventory import Inventory",
        "from inventory import Inventory, parse_item",
    );
    let both = |m: String, t: String| {
        vec![
            ("inventory.py", Some(m)),
            ("tests/test_inventory.py", Some(t)),
        ]
    };
    Case {
        language: "Python",
        base: vec![("inventory.py", PY_BASE), ("tests/test_inventory.py", PY_TEST)],
        clean: both(module.clone(), test.clone()),
        worse: vec![
            ("deeper nesting", Component::Maintainability, both(replace(&module, body, "    name, sep, count = line.partition(\"=\")\n    if sep:\n        if count.strip().isdigit():\n            if name.strip():\n                return name.strip(), int(count)\n    return None\n"), test.clone())),
            ("deleted test", Component::TestCoverage, both(module.clone(), replace(&test, "def test_add_item_counts_all_items():\n    inventory = Inventory()\n    inventory.add_item(\"bolt\", 2)\n    assert inventory.add_item(\"nut\", 3) == 5\n", ""))),
            ("TODO", Component::CodeQuality, both(replace(&module, body, &format!("    # TODO: reject negative counts\n{body}")), test.clone())),
            ("dead code", Component::Maintainability, both(format!("{module}\n\ndef _parse_count(text):\n    trimmed = text.strip()\n    return int(trimmed)\n"), test.clone())),
            ("copy-pasted block", Component::Maintainability, both(format!("{module}\n\ndef parse_items(text):\n    \"\"\"Parses `name=count` items, one per line.\"\"\"\n    items = []\n    for line in text.splitlines():\n        name, sep, count = line.partition(\"=\")\n        if not sep or not count.strip().isdigit():\n            continue\n        items.append((name.strip(), int(count)))\n    return items\n\n\ndef parse_listed_items(text):\n    \"\"\"Parses `name=count` items, one per line, skipping blank ones.\"\"\"\n    items = []\n    for line in text.splitlines():\n        name, sep, count = line.partition(\"=\")\n        if not sep or not count.strip().isdigit():\n            continue\n        items.append((name.strip(), int(count)))\n    return items\n"), test.clone())),
            ("commented-out block", Component::Readability, both(replace(&module, body, &format!("    # count = int(line.split(\"=\")[1])\n    # if count < 0:\n    #     return None\n{body}")), test.clone())),
            ("secret-looking string", Component::CodeQuality, both(format!("API_KEY = \"sk_live_4f9a8b7c6d5e4f3a2b1c0d9e\"\n\n{module}"), test.clone())),
            ("no test", Component::TestCoverage, vec![("inventory.py", Some(module))]),
        ],
    }
}

const JS_BASE: &str = include_str!("../../tests/fixtures/tags/cart.js");
const JS_TEST: &str = "const { Cart } = require('./cart');\n\ntest('adding a line returns the total', () => {\n  const cart = new Cart();\n  cart.addLine({ price: 2 });\n  expect(cart.addLine({ price: 3 })).toBe(5);\n});\n";

fn javascript() -> Case {
    let body = "  const [name, price] = text.split('=');\n  const value = Number(price);\n  if (!name || !Number.isFinite(value)) {\n    return null;\n  }\n  return { name: name.trim(), price: value };\n";
    let module = replace(JS_BASE, "module.exports = { Cart, computeTotal };", &format!("/** Parses `name=price` as lines are typed in; null when the text is not one. */\nfunction parseLine(text) {{\n{body}}}\n\nmodule.exports = {{ Cart, computeTotal, parseLine }};"));
    let test = format!("{}\ntest('parses typed lines', () => {{\n  expect(parseLine('bolt = 4')).toEqual({{ name: 'bolt', price: 4 }});\n  expect(parseLine('bolt')).toBeNull();\n}});\n", replace(JS_TEST, "const { Cart }", "const { Cart, parseLine }"));
    let both = |m: String, t: String| vec![("cart.js", Some(m)), ("cart.test.js", Some(t))];
    Case {
        language: "JavaScript",
        base: vec![("cart.js", JS_BASE), ("cart.test.js", JS_TEST)],
        clean: both(module.clone(), test.clone()),
        worse: vec![
            ("deeper nesting", Component::Maintainability, both(replace(&module, body, "  const [name, price] = text.split('=');\n  if (name) {\n    const value = Number(price);\n    if (Number.isFinite(value)) {\n      if (name.trim()) {\n        return { name: name.trim(), price: value };\n      }\n    }\n  }\n  return null;\n"), test.clone())),
            ("deleted test", Component::TestCoverage, both(module.clone(), replace(&test, "test('adding a line returns the total', () => {\n  const cart = new Cart();\n  cart.addLine({ price: 2 });\n  expect(cart.addLine({ price: 3 })).toBe(5);\n});\n", ""))),
            ("TODO", Component::CodeQuality, both(replace(&module, body, &format!("  // TODO: reject negative prices\n{body}")), test.clone())),
            ("dead code", Component::Maintainability, both(replace(&module, "module.exports", "function parsePrice(text) {\n  const trimmed = text.trim();\n  return Number(trimmed);\n}\n\nmodule.exports"), test.clone())),
            ("copy-pasted block", Component::Maintainability, both(replace(&module, "module.exports", "function parseLines(text) {\n  const lines = [];\n  for (const row of text.split('\\n')) {\n    const [name, price] = row.split('=');\n    const value = Number(price);\n    if (name && Number.isFinite(value)) lines.push({ name: name.trim(), price: value });\n  }\n  return lines;\n}\n\nfunction parseListedLines(text) {\n  const lines = [];\n  for (const row of text.split('\\n')) {\n    const [name, price] = row.split('=');\n    const value = Number(price);\n    if (name && Number.isFinite(value)) lines.push({ name: name.trim(), price: value });\n  }\n  return lines;\n}\n\nmodule.exports"), test.clone())),
            ("commented-out block", Component::Readability, both(replace(&module, body, &format!("  // const value = parseFloat(text.split('=')[1]);\n  // if (value < 0) {{\n  //   return null;\n  // }}\n{body}")), test.clone())),
            ("secret-looking string", Component::CodeQuality, both(format!("const apiKey = 'sk_live_4f9a8b7c6d5e4f3a2b1c0d9e';\n\n{module}"), test.clone())),
            ("no test", Component::TestCoverage, vec![("cart.js", Some(module))]),
        ],
    }
}

const GO_BASE: &str = include_str!("../../tests/fixtures/tags/server.go");
const GO_TEST: &str = "package server\n\nimport \"testing\"\n\nfunc TestAddressUsesThePort(t *testing.T) {\n\tif NewServer(80).Port != 80 {\n\t\tt.Fatal(\"port lost\")\n\t}\n}\n";

fn go() -> Case {
    let body = "\tport, err := strconv.Atoi(strings.TrimSpace(text))\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn validate(port), nil\n";
    let module = format!("{}\n// ParsePort reads a port as it is typed in.\nfunc ParsePort(text string) (int, error) {{\n{body}}}\n", replace(GO_BASE, "package server\n", "package server\n\nimport (\n\t\"strconv\"\n\t\"strings\"\n)\n"));
    let test = format!("{GO_TEST}\nfunc TestParsePortReadsTypedPorts(t *testing.T) {{\n\tif port, err := ParsePort(\" 8080 \"); err != nil || port != 8080 {{\n\t\tt.Fatalf(\"got %d, %v\", port, err)\n\t}}\n\tif _, err := ParsePort(\"http\"); err == nil {{\n\t\tt.Fatal(\"no error\")\n\t}}\n}}\n");
    let both = |m: String, t: String| vec![("server.go", Some(m)), ("server_test.go", Some(t))];
    Case {
        language: "Go",
        base: vec![("server.go", GO_BASE), ("server_test.go", GO_TEST)],
        clean: both(module.clone(), test.clone()),
        worse: vec![
            ("unwrap on input", Component::CodeQuality, both(replace(&module, body, "\tport, _ := strconv.Atoi(strings.TrimSpace(text))\n\treturn validate(port), nil\n"), test.clone())),
            ("deeper nesting", Component::Maintainability, both(replace(&module, body, "\ttrimmed := strings.TrimSpace(text)\n\tif trimmed != \"\" {\n\t\tport, err := strconv.Atoi(trimmed)\n\t\tif err == nil {\n\t\t\tif port > 0 {\n\t\t\t\treturn validate(port), nil\n\t\t\t}\n\t\t}\n\t\treturn 0, err\n\t}\n\treturn 0, strconv.ErrSyntax\n"), test.clone())),
            ("deleted test", Component::TestCoverage, both(module.clone(), replace(&test, "func TestAddressUsesThePort(t *testing.T) {\n\tif NewServer(80).Port != 80 {\n\t\tt.Fatal(\"port lost\")\n\t}\n}\n", ""))),
            ("TODO", Component::CodeQuality, both(replace(&module, body, &format!("\t// TODO: reject ports above 65535\n{body}")), test.clone())),
            ("dead code", Component::Maintainability, both(format!("{module}\nfunc parseCount(text string) int {{\n\ttrimmed := strings.TrimSpace(text)\n\treturn len(trimmed)\n}}\n"), test.clone())),
            ("copy-pasted block", Component::Maintainability, both(format!("{module}\n// ParsePorts reads ports, one per line.\nfunc ParsePorts(text string) []int {{\n\tvar ports []int\n\tfor _, line := range strings.Split(text, \"\\n\") {{\n\t\tport, err := strconv.Atoi(strings.TrimSpace(line))\n\t\tif err == nil {{\n\t\t\tports = append(ports, validate(port))\n\t\t}}\n\t}}\n\treturn ports\n}}\n\n// ParseListedPorts reads ports, one per line, skipping blank ones.\nfunc ParseListedPorts(text string) []int {{\n\tvar ports []int\n\tfor _, line := range strings.Split(text, \"\\n\") {{\n\t\tport, err := strconv.Atoi(strings.TrimSpace(line))\n\t\tif err == nil {{\n\t\t\tports = append(ports, validate(port))\n\t\t}}\n\t}}\n\treturn ports\n}}\n"), test.clone())),
            ("commented-out block", Component::Readability, both(replace(&module, body, &format!("\t// port := atoi(text)\n\t// if port < 0 {{\n\t//     return 0, nil\n\t// }}\n{body}")), test.clone())),
            ("secret-looking string", Component::CodeQuality, both(format!("{module}\nconst apiKey = \"sk_live_4f9a8b7c6d5e4f3a2b1c0d9e\"\n"), test.clone())),
            ("no test", Component::TestCoverage, vec![("server.go", Some(module))]),
        ],
    }
}

/// Every language's case.
pub fn cases() -> Vec<Case> {
    vec![rust(), python(), javascript(), go()]
}
