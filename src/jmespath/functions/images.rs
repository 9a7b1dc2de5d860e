//! Kyverno's image function (jmespath.md §2.10): takes an image reference string and
//! returns it in full form, using the parser shared with the engine's `images` variable.

use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use crate::value::image;

pub const FUNCTIONS: &[Function] = &[Function::plain(
    "image_normalize",
    &[Types::STRING],
    "string",
    "Normalizes an image reference: default registry docker.io, default tag latest; a digest replaces the tag.",
    image_normalize,
)];

fn image_normalize(args: &[&Value]) -> Result<Value, FnError> {
    let reference = str_arg(args, 0)?;
    image::normalize(reference)
        .map(Value::String)
        .map_err(|e| FnError::Kyverno(e.to_string()))
}
