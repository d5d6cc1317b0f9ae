//! OpenAPI helpers for the JSON forms modules serve.

use utoipa::openapi::{RefOr, Schema};

/// The schema of `T`'s object with more properties, for a struct that `#[serde(flatten)]`s a `T`.
/// (utoipa would describe it as `allOf` [T, extra], which `T`'s `additionalProperties: false`
/// — from `deny_unknown_fields` — makes unsatisfiable.)
pub fn flattened<T: utoipa::ToSchema>(extra: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    match T::schema() {
        RefOr::T(Schema::Object(mut o)) => {
            o.additional_properties = None;
            for (name, schema) in extra {
                o.properties.insert(name.to_string(), schema);
                o.required.push(name.to_string());
            }
            RefOr::T(Schema::Object(o))
        }
        // Itself flattened (e.g. `Receipt` with its status), or another shape: one more part.
        other => {
            let mut more = utoipa::openapi::ObjectBuilder::new();
            for (name, schema) in extra {
                more = more.property(name, schema).required(name);
            }
            match other {
                RefOr::T(Schema::AllOf(mut a)) => {
                    a.items.push(more.into());
                    RefOr::T(Schema::AllOf(a))
                }
                other => RefOr::T(Schema::AllOf(utoipa::openapi::AllOfBuilder::new().item(other).item(more).build())),
            }
        }
    }
}
