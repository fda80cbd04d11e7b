//! Complexity of small functions in every language, computed by hand in the comments (cyc:
//! cyclomatic decision points, cog: cognitive increments as "+structure+nesting").

use super::{measure, FileMetrics, FunctionMetrics};
use crate::analysis::Language;

fn file(language: Language, source: &str) -> FileMetrics {
    measure(language, source).expect("measures")
}

fn function(metrics: &FileMetrics, name: &str) -> FunctionMetrics {
    metrics
        .functions
        .iter()
        .find(|f| f.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("no function {name} in {:?}", metrics.functions))
}

/// (cyclomatic, cognitive, max nesting, parameters)
fn figures(f: &FunctionMetrics) -> (u32, u32, u32, u32) {
    (f.cyclomatic, f.cognitive, f.max_nesting, f.parameters)
}

#[test]
fn rust_nesting_closures_else_chains_and_match() {
    let source = r#"
struct Tally;

impl Tally {
    fn classify(&self, items: &[i32], limit: i32) -> u32 {
        let mut count = 0;
        for item in items {                        // cyc 1, cog +1
            if *item > limit && *item < 100 {      // cyc 2, cog +1+1, && +1
                count += 1;
            } else if *item == 0 {                 // cyc 1, cog +1
                continue;
            }
            let sign = |x: i32| if x > 0 { 1 } else { 0 }; // cyc 1, cog +1+2, else +1
            count += sign(*item);
        }
        match count {                              // 3 arms: cyc 2, cog +1
            0 => 0,
            1 => 1,
            _ => 2,
        }
    }

    fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
        let n: u32 = text.trim().parse()?;         // `?` is not a decision
        'outer: loop {                             // cyc 1, cog +1
            while n > 3 {                          // cyc 1, cog +1+1
                break 'outer;                      // cog +1
            }
        }
        Ok(n)
    }
}
"#;
    let metrics = file(Language::Rust, source);
    let classify = function(&metrics, "classify");
    assert_eq!(figures(&classify), (8, 10, 3, 2));
    assert_eq!(
        (classify.line_start, classify.line_end, classify.lines),
        (5, 21, 17)
    );
    assert_eq!(figures(&function(&metrics, "parse")), (3, 4, 2, 1));
    assert_eq!(metrics.cyclomatic, 11);
    assert_eq!(metrics.cognitive, 14);
    assert_eq!((metrics.max_cyclomatic, metrics.max_cognitive), (8, 10));
}

#[test]
fn python_loops_comprehensions_except_and_nested_functions() {
    let source = r#"def search(matrix, target):
    """Find target in matrix."""
    for row in matrix:                      # cyc 1, cog +1
        for value in row:                   # cyc 1, cog +1+1
            if value == target:             # cyc 1, cog +1+2
                return True
    try:
        found = [v for v in matrix if v]    # cyc 2 (for, if), cog 0
    except ValueError:                      # cyc 1, cog +1
        return None
    return found if found else None         # cyc 1, cog +1


def outer(self, x, *rest, flag=False):
    def inner(y):
        return y and x or not y             # cyc 2, cog +2 (two sequences)
    if flag:                                # cyc 1, cog +1
        pass
    elif x:                                 # cyc 1, cog +1
        pass
    else:                                   # cog +1
        pass
    return inner
"#;
    let metrics = file(Language::Python, source);
    assert_eq!(figures(&function(&metrics, "search")), (8, 8, 3, 2));
    // `self` is not a parameter; the nested function is measured on its own.
    assert_eq!(figures(&function(&metrics, "outer")), (3, 3, 1, 3));
    assert_eq!(figures(&function(&metrics, "inner")), (3, 2, 0, 1));
    let names: Vec<&str> = metrics.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["search", "outer", "inner"]);
}

#[test]
fn javascript_callbacks_labels_switch_and_bound_arrows() {
    let source = r#"function process(list, fn) {
  let total = 0;
  list.forEach((item) => {               // lambda: nesting 1
    if (item.ok || item.force) {         // cyc 2, cog +1+1, || +1
      total += fn(item);
    }
  });
  outer: for (const a of list) {         // cyc 1, cog +1
    while (a.next) {                     // cyc 1, cog +1+1
      if (a.skip) continue outer;        // cyc 1, cog +1+2, labelled continue +1
      a.next = a.next.next;
    }
  }
  switch (total) {                       // cog +1
    case 0: return 'none';               // cyc 1
    case 1: return 'one';                // cyc 1
    default: return total > 9 ? 'many' : 'some'; // cyc 1, cog +1+1
  }
}
const double = x => x * 2;
const obj = { run: function () { return a ?? b; } };
"#;
    let metrics = file(Language::JavaScript, source);
    assert_eq!(figures(&function(&metrics, "process")), (9, 13, 3, 2));
    assert_eq!(figures(&function(&metrics, "double")), (1, 0, 0, 1));
    // An anonymous function in an object literal belongs to the code around it.
    assert_eq!(metrics.functions.len(), 2);
}

#[test]
fn typescript_methods_and_tsx_components() {
    let source = r#"export class Cache {
  get(key: string, fallback?: number): number {
    const value = this.map.get(key) ?? fallback;
    if (value === undefined) {                   // cyc 1, cog +1
      throw new Error("missing");
    }
    return value > 0 && value < 10 ? value : 0; // ternary cyc 1, cog +1; && cyc 1, cog +1
  }
  abstract size(): number;
}
"#;
    let metrics = file(Language::TypeScript, source);
    assert_eq!(figures(&function(&metrics, "get")), (4, 3, 1, 2));
    assert_eq!(
        metrics.functions.len(),
        1,
        "a signature without a body is not a function"
    );

    let tsx = r#"function List({ items }: Props) {
  return <ul>{items.map((i) => (i.visible ? <li>{i.name}</li> : null))}</ul>;
}
"#;
    let metrics = file(Language::Tsx, tsx);
    // The ternary sits in a callback: +1 plus nesting 1.
    assert_eq!(figures(&function(&metrics, "List")), (2, 2, 2, 1));
}

#[test]
fn go_switch_cases_goroutines_and_receivers() {
    let source = r#"package server

func (s *Server) Handle(ctx context.Context, req Request) error {
	for _, h := range s.handlers { // cyc 1, cog +1
		switch req.Kind { // cog +1+1
		case "a", "b": // cyc 1
			if err := h(ctx); err != nil { // cyc 1, cog +1+2
				return err
			}
		case "c": // cyc 1
		default:
		}
	}
	go func() { // lambda: nesting 1
		if s.done != nil && s.verbose { // cyc 2, cog +1+1, && +1
			close(s.done)
		}
	}()
	return nil
}

func pair(a, b int, rest ...string) {
loop:
	for {
		break loop // cog +1
	}
}
"#;
    let metrics = file(Language::Go, source);
    assert_eq!(figures(&function(&metrics, "Handle")), (7, 9, 3, 2));
    assert_eq!(figures(&function(&metrics, "pair")), (2, 2, 1, 3));
}

#[test]
fn file_totals_lines_and_comment_density() {
    let source = "// A counter.\n\n/// Adds one.\nfn inc(x: u32) -> u32 {\n    x + 1 /* never overflows here */\n}\n";
    let metrics = file(Language::Rust, source);
    assert_eq!(metrics.lines.lines, 6);
    assert_eq!(metrics.lines.blank_lines, 1);
    assert_eq!(metrics.lines.source_lines, 5);
    assert_eq!(metrics.lines.comment_lines, 3);
    assert!((metrics.lines.comment_density - 0.6).abs() < 1e-9);
    assert_eq!(metrics.cyclomatic, 1);
    assert_eq!(metrics.mean_function_lines, 3.0);
    assert!(!metrics.has_syntax_errors);
    assert!(metrics.maintainability_index > 50.0 && metrics.maintainability_index <= 100.0);

    let python = "\"\"\"Module doc.\"\"\"\nx = 1\n";
    assert_eq!(file(Language::Python, python).lines.comment_lines, 1);
}

#[test]
fn a_more_complex_version_is_less_maintainable() {
    let simple = "def f(x):\n    return x + 1\n";
    let complex = "def f(x):\n    if x > 1:\n        for i in range(x):\n            if i % 2 and x % 3:\n                x += i\n    return x + 1\n";
    let simple = file(Language::Python, simple);
    let complex = file(Language::Python, complex);
    assert!(complex.maintainability_index < simple.maintainability_index);
    assert_eq!((simple.cognitive, complex.cognitive), (0, 7));
}

#[test]
fn broken_and_huge_inputs_are_measured_without_failing() {
    let broken = file(Language::Rust, "fn f( { if x { }\n");
    assert!(broken.has_syntax_errors);
    // A 20,000-term expression: the walks keep their own stacks.
    let long = format!("x = {}1\n", "a + ".repeat(20_000));
    let metrics = file(Language::Python, &long);
    assert_eq!(metrics.halstead.total_operands, 20_002);
}

#[test]
fn an_exhaustive_match_first_in_a_function_and_its_guard() {
    // 3 arms: 2 decisions; the guard: 1 more. Cognitive: the match, once.
    let source = "fn f(a: bool, b: bool, w: u32) -> u32 {\n    match (a, b) {\n        (true, true) => g(w),\n        (false, true) if w < 20 => 0,\n        _ => 400,\n    }\n}\n";
    let metrics = file(Language::Rust, source);
    assert_eq!(figures(&function(&metrics, "f")), (4, 1, 1, 3));
}
