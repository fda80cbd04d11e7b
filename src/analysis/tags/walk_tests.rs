//! The walk against the tags query it replaces, on samples of each language that exercise every
//! pattern: same definitions (names, kinds, lines, signatures, order) and reference counts.

use super::{parse, query, walk, FileTags};
use crate::analysis::Language;

const RUST: &str = r#"
//! A module.
use std::fmt;

pub const LIMIT: usize = 3;
static NAME: &str = "x";

pub struct Point { x: i32 }
enum Shape { Dot(Point) }
union Bits { i: u32, f: f32 }
type Alias = Vec<Point>;

pub trait Draw {
    fn draw(&self) -> String;
    fn size(&self) -> usize { 1 }
}

impl Draw for Point {
    fn draw(&self) -> String { format!("{}", self.x) }
}

impl Point {
    pub fn new(x: i32) -> Self { let p = Point { x }; helper(p.x); p.clone_it(); fmt::format(format_args!("")); p }
    fn clone_it(&self) -> Point { Point { x: self.x } }
}

impl<T> fmt::Debug for Wrapper<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) }
}

mod inner { pub fn helper(_: i32) {} }

macro_rules! twice { ($e:expr) => { $e; $e }; }

fn helper(x: i32) -> i32 { twice!(x); inner::helper(x); x }
fn a() {} fn b() {}
fn main() { let s = Shape::Dot(Point::new(1)); println!("{}", LIMIT); }
"#;

const PYTHON: &str = r#"
"""A module."""
import os

LIMIT = 3
a = b = 4
x, y = 1, 2

class Shape(Base):
    sides = 0

    def __init__(self, n):
        self.n = n
        helper(n)

    def area(self):
        return os.path.join(self.n, compute(1))


def helper(n):
    def inner():
        return n
    return inner()

if True:
    NOT_TOP = 1
"#;

const JAVASCRIPT: &str = r#"
// A module.
const fs = require("fs");

/**
 * A shape.
 */
class Shape extends Base {
  constructor(n) { super(n); this.n = n; }
  // The area.
  area() { return compute(this.n); }
  #secret() {}
  get size() { return 1; }
}

const Other = class Named { run() {} };

function helper(n) { return n.map(x => x * 2); }
function* gen() { yield 1; }
const arrow = (x) => x + 1, plain = 3, fn2 = function () {};
var old = function named() {};
let later = async () => {};

module.exports.exported = function () {};
window.onload = () => { start(); };
assigned = function () {};

const table = { key: function () {}, other: () => 1, value: 2 };

const s = new Shape(1);
const t = new ns.Thing();
obj.method(1, 2);
helper(3); area();
export default LIMIT = 5;
"#;

const TYPESCRIPT: &str = r#"
import { Base } from "./base";

export interface Shape extends Base {
  area(): number;
  name: string;
}

type Alias = Map<string, Shape>;
enum Color { Red, Green }

declare function external(x: number): string;

abstract class Figure implements Shape {
  abstract area(): number;
  name: string = "figure";
  constructor(public size: Size) { super(); }
  describe(prefix: string): Label { return new Label(prefix + this.area()); }
}

class Square extends Figure {
  area(): number { return this.size.width ** 2; }
}

module Legacy { export const x = 1; }
namespace Modern { export function y(): Result<number> { return ok(1); } }

const make = (n: number): Square => new Square({ width: n });
function helper<T extends Shape>(items: T[], key: keyof T): Array<T> { return items.filter(isBig); }
let value: Shape = make(2);
"#;

const TSX: &str = r#"
interface Props { title: string }
export function Title({ title }: Props): JSX.Element { return <h1 onClick={() => go(title)}>{title}</h1>; }
const Panel = (props: Props) => <div>{render(props)}</div>;
"#;

const GO: &str = r#"
// Package shapes draws.
package shapes

import (
	"fmt"
	"strings"
)

const Limit = 3

var registry = map[string]Shape{}

// Shape is drawn.
type Shape interface {
	Area() float64
}

type Point struct{ X, Y int }

type (
	Alias = Point
	Size int
)

// Area of a point.
func (p Point) Area() float64 { return float64(p.X * p.Y) }

// New makes one.
// It is documented twice.
func New(x int) *Point {
	fmt.Println(strings.Repeat("x", x))
	(helper)(x)
	(fmt.Sprint)(x)
	var s Shape = Point{}
	return &Point{X: x}
}

func helper(x int) Size { return Size(x) }
"#;

fn both(language: Language, source: &str) -> (FileTags, FileTags) {
    let tree = parse(language, source.as_bytes()).expect("parses");
    let walked = walk::collect(language, tree.root_node(), source.as_bytes());
    let queried = query::extract_from_tree(language, &tree, source.as_bytes());
    (walked, queried)
}

fn names(tags: &FileTags) -> Vec<(String, String, u32)> {
    tags.definitions
        .iter()
        .map(|d| (d.name.clone(), d.kind.clone(), d.line))
        .collect()
}

fn count(tags: &FileTags, name: &str) -> u32 {
    tags.references
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0, |(_, c)| *c)
}

#[test]
fn rust_definitions_and_references_are_the_querys() {
    let (walked, queried) = both(Language::Rust, RUST);
    assert_eq!(walked, queried);
    let defs = names(&walked);
    assert!(
        defs.contains(&("draw".into(), "method".into(), 19)),
        "{defs:?}"
    );
    assert!(
        defs.contains(&("LIMIT".into(), "constant".into(), 5)),
        "{defs:?}"
    );
    assert!(
        defs.contains(&("twice".into(), "macro".into(), 33)),
        "{defs:?}"
    );
    // A function in a module's block is a method to the query, which the walk keeps.
    assert!(
        defs.contains(&("helper".into(), "method".into(), 31)),
        "{defs:?}"
    );
    assert!(
        defs.contains(&("helper".into(), "function".into(), 35)),
        "{defs:?}"
    );
    let line_36: Vec<&str> = walked
        .definitions
        .iter()
        .filter(|d| d.line == 36)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(line_36, ["a", "b"]);
    assert!(count(&walked, "Point") >= 5);
    assert!(count(&walked, "helper") >= 2);
}

#[test]
fn python_definitions_and_references_are_the_querys() {
    let (walked, queried) = both(Language::Python, PYTHON);
    assert_eq!(walked, queried);
    let defs = names(&walked);
    assert!(
        defs.contains(&("LIMIT".into(), "constant".into(), 5)),
        "{defs:?}"
    );
    assert!(
        defs.contains(&("inner".into(), "function".into(), 21)),
        "{defs:?}"
    );
    assert!(!defs.iter().any(|d| d.0 == "NOT_TOP"), "{defs:?}");
    assert_eq!(count(&walked, "join"), 1);
}

#[test]
fn javascript_definitions_and_references_are_the_querys() {
    let (walked, queried) = both(Language::JavaScript, JAVASCRIPT);
    assert_eq!(walked, queried);
    let defs = names(&walked);
    assert!(!defs.iter().any(|d| d.0 == "constructor"), "{defs:?}");
    for name in [
        "area", "arrow", "fn2", "exported", "onload", "key", "other", "LIMIT",
    ] {
        assert!(defs.iter().any(|d| d.0 == name), "{name}: {defs:?}");
    }
    assert_eq!(count(&walked, "require"), 0);
    assert_eq!(count(&walked, "ns.Thing"), 1);
}

#[test]
fn typescript_and_tsx_definitions_and_references_are_the_querys() {
    let (walked, queried) = both(Language::TypeScript, TYPESCRIPT);
    assert_eq!(walked, queried);
    let defs = names(&walked);
    for name in [
        "Shape", "Alias", "Color", "external", "Figure", "Legacy", "make",
    ] {
        assert!(defs.iter().any(|d| d.0 == name), "{name}: {defs:?}");
    }
    // Its name and a return type once each, an annotation twice, `new` twice.
    assert_eq!(count(&walked, "Square"), 5);
    let (walked, queried) = both(Language::Tsx, TSX);
    assert_eq!(walked, queried);
    assert!(names(&walked).iter().any(|d| d.0 == "Panel"));
}

#[test]
fn go_definitions_and_references_are_the_querys() {
    let (walked, queried) = both(Language::Go, GO);
    assert_eq!(walked, queried);
    let defs = names(&walked);
    // `Alias = Point` is a type alias, which the query does not define.
    for name in ["Shape", "Point", "Size", "Area", "New", "helper"] {
        assert!(defs.iter().any(|d| d.0 == name), "{name}: {defs:?}");
    }
    assert_eq!(count(&walked, "helper"), 1);
    assert_eq!(count(&walked, "Sprint"), 1);
    assert_eq!(count(&walked, "Shape"), 6, "each type identifier twice");
}

#[test]
fn broken_code_gives_what_the_query_gives() {
    let samples = [
        (Language::Rust, "fn a( { struct B impl C for { fn d() }"),
        (Language::Python, "def f(:\n  class C\n x = g("),
        (
            Language::JavaScript,
            "class { m( { function ( => } x = () =>",
        ),
        (Language::TypeScript, "interface { a(: } type = ; enum"),
        (Language::Go, "func (p P Area( { type T struct"),
    ];
    for (language, source) in samples {
        let (walked, queried) = both(language, source);
        assert_eq!(walked, queried, "{language:?}");
    }
}
