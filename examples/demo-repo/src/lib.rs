//! A tiny shelf inventory: the example repository AutoMaintainer improves when it is given no
//! other. It builds and its test passes, but clippy warns about it and rustfmt would change it.

/// An item on a shelf.
pub struct Item {
    pub name: String,
    pub count: u32,
}

/// Makes an item.
pub fn item(name: &str, count: u32) -> Item {
    Item { name: name.to_string(), count: count }
}

/// How many items are on the shelf.
pub fn total(items: &[Item]) -> u32 {
    let mut sum = 0;
    for item in items { sum += item.count; }
    return sum;
}

/// Whether the shelf is empty.
pub fn is_empty(items: &[Item]) -> bool {
    items.len() == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_the_counts() {
        let shelf = vec![item("bolt", 2), item("nut", 3)];
        assert_eq!(total(&shelf), 5);
        assert!(!is_empty(&shelf));
        assert!(is_empty(&[]));
    }
}
