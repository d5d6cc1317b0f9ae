//! [`gather_modules!`]: the chain's payload and event types, made from the module list.

/// Defines `Payload` (what a transaction does: one module's call), `Event` (what it did: one
/// module's event), `MODULES` (the names in list order), `MODULE_KEY_SPACES` and
/// `check_module_list()`, from a list of `Variant => ModuleType` pairs.
///
/// Invoked once, by `hechain-types`, with the list kept in `hechain-modules`:
/// `hechain_modules::for_each_module!(gather_modules);`. Every `match` below is over the
/// listed modules, so a module cannot be half wired.
#[macro_export]
macro_rules! gather_modules {
    ( $( $Variant:ident => $module:ty ),+ $(,)? ) => {
        /// What a transaction does: one call of one service module. The encoding is the
        /// modules' ([`hechain_module::wire`]); the JSON form is the call's own
        /// (`{"type": "evidence_put", …}`).
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Payload {
            $(
                #[doc = concat!("A call of the `", stringify!($Variant), "` module.")]
                $Variant(<$module as $crate::Module>::Call),
            )+
        }

        /// Something a transaction did, for indexing and subscribers: one event of one module.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Event {
            $(
                #[doc = concat!("An event of the `", stringify!($Variant), "` module.")]
                $Variant(<$module as $crate::Module>::Event),
            )+
        }

        /// The service modules' names, in list order (permission settings refer to them).
        pub const MODULES: &[&str] = &[ $( <$module as $crate::Module>::NAME ),+ ];

        /// Each module's state key prefixes.
        pub const MODULE_KEY_SPACES: &[(&str, &[&[u8]])] =
            &[ $( (<$module as $crate::Module>::NAME, <$module as $crate::Module>::KEY_PREFIXES) ),+ ];

        /// Each module's place in the payload's and event's tag byte.
        pub const MODULE_WIRES: &[(&str, $crate::Wire)] =
            &[ $( (<$module as $crate::Module>::NAME, <$module as $crate::Module>::WIRE) ),+ ];

        /// Checks the list: distinct names, no tag owned twice, disjoint key spaces.
        pub fn check_module_list() -> Result<(), String> {
            $crate::wire::check_list(&[ $(
                $crate::wire::Entry {
                    name: <$module as $crate::Module>::NAME,
                    wire: <$module as $crate::Module>::WIRE,
                    calls: <<$module as $crate::Module>::Call as $crate::ModuleEnum>::TYPES.len(),
                    events: <<$module as $crate::Module>::Event as $crate::ModuleEnum>::TYPES.len(),
                },
            )+ ])?;
            $crate::testing::check_key_spaces(MODULE_KEY_SPACES)
        }

        impl Payload {
            /// Stateless field checks (lengths, empty fields, terms), run by the pool on
            /// admission and again at execution. The message names the field.
            pub fn validate(&self) -> Result<(), $crate::TypesError> {
                let cx = $crate::ValidateContext { modules: MODULES };
                match self { $( Payload::$Variant(c) => $crate::ModuleCall::validate(c, &cx), )+ }
            }

            /// The proofs the payload carries
            /// ([`ModuleCall::verify_proofs`](hechain_module::ModuleCall::verify_proofs)): run
            /// by the pool and in a block's parallel pass, not in its serial execution.
            pub fn verify_proofs(&self) -> Result<(), $crate::TypesError> {
                match self { $( Payload::$Variant(c) => $crate::ModuleCall::verify_proofs(c), )+ }
            }

            /// Whether the payload may be sent below the minimum fee
            /// ([`ModuleCall::fee_exempt`](hechain_module::ModuleCall::fee_exempt)).
            pub fn fee_exempt(&self) -> bool {
                match self { $( Payload::$Variant(c) => $crate::ModuleCall::fee_exempt(c), )+ }
            }

            /// The module the payload belongs to (one of [`MODULES`]).
            pub fn module(&self) -> &'static str {
                match self { $( Payload::$Variant(_) => <$module as $crate::Module>::NAME, )+ }
            }

            /// Native balance the payload itself moves out of the sender (besides the fee).
            pub fn amount(&self) -> u128 {
                match self { $( Payload::$Variant(c) => $crate::ModuleCall::spends(c), )+ }
            }

            /// The JSON `type` of the payload.
            pub fn type_name(&self) -> &'static str {
                match self { $( Payload::$Variant(c) => $crate::type_name(c), )+ }
            }

            /// The key no two pending payloads may share, with the module's name
            /// ([`ModuleCall::pool_key`](hechain_module::ModuleCall::pool_key)).
            pub fn pool_key(&self) -> Option<(&'static str, $crate::PoolKey)> {
                match self { $(
                    Payload::$Variant(c) => $crate::ModuleCall::pool_key(c).map(|k| (<$module as $crate::Module>::NAME, k)),
                )+ }
            }

            /// The owning module's admission check against committed state
            /// ([`ModuleExec::admit`](hechain_module::exec::ModuleExec::admit)).
            pub fn admit(
                &self,
                view: &dyn $crate::exec::StateView,
            ) -> Result<Result<(), $crate::Refusal>, $crate::exec::StateError> {
                match self { $(
                    Payload::$Variant(c) => <$module as $crate::exec::ModuleExec>::admit(view, c),
                )+ }
            }
        }

        impl Event {
            /// The module the event belongs to (one of [`MODULES`]).
            pub fn module(&self) -> &'static str {
                match self { $( Event::$Variant(_) => <$module as $crate::Module>::NAME, )+ }
            }

            /// The JSON `type` of the event.
            pub fn type_name(&self) -> &'static str {
                match self { $( Event::$Variant(e) => $crate::type_name(e), )+ }
            }
        }

        /// A record of any listed module that offline certificates can carry
        /// (`{"kind": "…", "record": {…}}`, the module's own JSON form).
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum ModuleRecords {
            $(
                #[doc = concat!("A record of the `", stringify!($Variant), "` module.")]
                $Variant(<$module as $crate::Module>::Record),
            )+
        }

        impl ModuleRecords {
            /// Every kind any module certifies.
            pub fn kinds() -> Vec<&'static str> {
                [ $( <<$module as $crate::Module>::Record as $crate::record::ModuleRecord>::KINDS ),+ ].concat()
            }

            /// The record's kind tag.
            pub fn kind(&self) -> &'static str {
                match self { $( ModuleRecords::$Variant(r) => $crate::record::ModuleRecord::kind(r), )+ }
            }

            /// The state key the record lives under.
            pub fn state_key(&self) -> Vec<u8> {
                match self { $( ModuleRecords::$Variant(r) => $crate::record::ModuleRecord::state_key(r), )+ }
            }

            /// The record's canonical encoding.
            pub fn encoded(&self) -> Vec<u8> {
                match self { $( ModuleRecords::$Variant(r) => $crate::record::ModuleRecord::encoded(r), )+ }
            }

            /// Further records that must hold in the same state.
            pub fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
                match self { $( ModuleRecords::$Variant(r) => $crate::record::ModuleRecord::related(r), )+ }
            }

            /// A few human lines about the record.
            pub fn describe(&self) -> String {
                match self { $( ModuleRecords::$Variant(r) => $crate::record::ModuleRecord::describe(r), )+ }
            }

            /// Checks what the certificate carries besides the proven records.
            pub fn check_contents(&self, suite: $crate::__crypto::Suite) -> Result<(), String> {
                match self { $( ModuleRecords::$Variant(r) => $crate::record::ModuleRecord::check_contents(r, suite), )+ }
            }
        }

        impl $crate::__serde::Serialize for ModuleRecords {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( ModuleRecords::$Variant(r) => $crate::__serde::Serialize::serialize(r, s), )+ }
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for ModuleRecords {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $crate::__serde::de::Error as _;
                let v = <$crate::__serde_json::Value as $crate::__serde::Deserialize>::deserialize(d)?;
                let kind = match v.get("kind") {
                    Some($crate::__serde_json::Value::String(k)) => k.clone(),
                    Some(_) => return Err(D::Error::custom("field `kind` must be a string")),
                    None => return Err(D::Error::missing_field("kind")),
                };
                $(
                    if <<$module as $crate::Module>::Record as $crate::record::ModuleRecord>::KINDS.contains(&kind.as_str()) {
                        return $crate::__serde_json::from_value(v).map(ModuleRecords::$Variant).map_err(D::Error::custom);
                    }
                )+
                Err(D::Error::custom(format!("unknown record kind `{kind}`")))
            }
        }

        $crate::__gather_codec!(Payload, Call, $( $Variant => $module ),+);
        $crate::__gather_codec!(Event, Event, $( $Variant => $module ),+);
    };
}

/// The JSON `type` of a module's call or event (its borsh tag indexes [`ModuleEnum::TYPES`](crate::ModuleEnum::TYPES)).
pub fn type_name<E: crate::ModuleEnum>(value: &E) -> &'static str {
    let mut tag = TagOnly(None);
    // Writing stops at the first byte: only the variant tag is produced.
    let _ = borsh::BorshSerialize::serialize(value, &mut tag);
    tag.0.and_then(|t| E::TYPES.get(t as usize)).copied().unwrap_or("unknown")
}

struct TagOnly(Option<u8>);

impl std::io::Write for TagOnly {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.is_none() {
            self.0 = buf.first().copied();
        }
        Err(std::io::Error::other("tag read"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Borsh, serde and OpenAPI for a gathered enum (`$Enum`), whose variants hold each module's
/// `$Assoc` type (`Call` or `Event`). Internal to [`gather_modules!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __gather_codec {
    ($Enum:ident, $Assoc:ident, $( $Variant:ident => $module:ty ),+) => {
        impl $crate::__borsh::BorshSerialize for $Enum {
            fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
                match self { $(
                    $Enum::$Variant(v) => $crate::wire::write(
                        <$module as $crate::Module>::WIRE, $crate::__kind!($Assoc), v, w),
                )+ }
            }
        }

        impl $crate::__borsh::BorshDeserialize for $Enum {
            fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
                let tag = <u8 as $crate::__borsh::BorshDeserialize>::deserialize_reader(r)?;
                $(
                    if let Some(owned) = <$module as $crate::Module>::WIRE.owns(
                        $crate::__kind!($Assoc),
                        tag,
                        <<$module as $crate::Module>::$Assoc as $crate::ModuleEnum>::TYPES.len(),
                    ) {
                        return $crate::wire::read(owned, r).map($Enum::$Variant);
                    }
                )+
                Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(concat!("Unexpected variant tag: {} (no listed module owns this ", stringify!($Enum), " tag)"), tag),
                ))
            }
        }

        impl $crate::__serde::Serialize for $Enum {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( $Enum::$Variant(v) => $crate::__serde::Serialize::serialize(v, s), )+ }
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $Enum {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $crate::__serde::de::Error as _;
                let v = <$crate::__serde_json::Value as $crate::__serde::Deserialize>::deserialize(d)?;
                let ty = match v.get("type") {
                    Some($crate::__serde_json::Value::String(t)) => t.clone(),
                    Some(_) => return Err(D::Error::custom("field `type` must be a string")),
                    None => return Err(D::Error::missing_field("type")),
                };
                $(
                    if <<$module as $crate::Module>::$Assoc as $crate::ModuleEnum>::TYPES.contains(&ty.as_str()) {
                        return $crate::__serde_json::from_value(v).map($Enum::$Variant).map_err(D::Error::custom);
                    }
                )+
                let known: Vec<&str> = [ $( <<$module as $crate::Module>::$Assoc as $crate::ModuleEnum>::TYPES ),+ ]
                    .concat();
                Err(D::Error::custom(format!(
                    "unknown variant `{ty}`, expected one of {}",
                    known.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                )))
            }
        }

        #[cfg(feature = "openapi")]
        impl $crate::__utoipa::PartialSchema for $Enum {
            fn schema() -> $crate::__utoipa::openapi::RefOr<$crate::__utoipa::openapi::schema::Schema> {
                $crate::__utoipa::openapi::schema::OneOfBuilder::new()
                    $( .item($crate::__utoipa::openapi::Ref::from_schema_name(
                        <<$module as $crate::Module>::$Assoc as $crate::__utoipa::ToSchema>::name(),
                    )) )+
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl $crate::__utoipa::ToSchema for $Enum {
            fn schemas(
                out: &mut Vec<(String, $crate::__utoipa::openapi::RefOr<$crate::__utoipa::openapi::schema::Schema>)>,
            ) {
                $(
                    out.push((
                        <<$module as $crate::Module>::$Assoc as $crate::__utoipa::ToSchema>::name().into_owned(),
                        <<$module as $crate::Module>::$Assoc as $crate::__utoipa::PartialSchema>::schema(),
                    ));
                    <<$module as $crate::Module>::$Assoc as $crate::__utoipa::ToSchema>::schemas(out);
                )+
            }
        }
    };
}

/// `Call` → `Kind::Call`, `Event` → `Kind::Event`. Internal to [`gather_modules!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __kind {
    (Call) => {
        $crate::wire::Kind::Call
    };
    (Event) => {
        $crate::wire::Kind::Event
    };
}
