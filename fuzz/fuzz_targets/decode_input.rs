//! Every task binary's input type decoded from arbitrary bytes, as `--input` would read them:
//! each answer is the input or one line of bad input (exit 2), never a panic.

#![no_main]

use automaintainer::contract::{parse_input, Validate};
use automaintainer::phases::{
    cleanup, context, evaluate, implement, open_pr, persist, reflect, review, select, setup,
};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned + Validate>(text: &str) {
    if let Err(e) = parse_input::<T>(text) {
        assert!(!e.0.contains('\n'), "bad input must be one line: {e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    decode::<setup::SetupInput>(text);
    decode::<context::ContextInput>(text);
    decode::<select::SelectInput>(text);
    decode::<implement::ImplementInput>(text);
    decode::<open_pr::OpenPrInput>(text);
    decode::<review::ReviewInput>(text);
    decode::<evaluate::EvaluateInput>(text);
    decode::<persist::PersistInput>(text);
    decode::<reflect::ReflectInput>(text);
    decode::<cleanup::CleanupInput>(text);
});
