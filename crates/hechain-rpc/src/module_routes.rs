//! The REST routes of service modules built on the module interface
//! (`hechain_module::api::ModuleApi`), gathered from the module list: mounted by
//! [`crate::router`] and documented by [`crate::openapi`] from the same [`module_routes`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::{get, MethodRouter};
use hechain_module::api::{
    Method, ModuleApi, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response,
};
use hechain_module::exec::{BlockInfo, StateScan};
use hechain_module::Module;
use hechain_storage::StoreReader;
use hechain_types::modules::ModuleRecords;

use crate::error::ApiError;
use crate::handlers::{blocking, certify, ApiResult};
use crate::AppState;

/// A module route with its handler's record type erased to [`ModuleRecords`].
pub(crate) type ErasedHandler =
    Arc<dyn Fn(&dyn QueryHost, &Params) -> Result<Reply<ModuleRecords>, QueryError> + Send + Sync>;

/// One module route.
#[derive(Clone)]
pub(crate) struct ModuleRoute {
    /// The module (the OpenAPI tag).
    pub(crate) module: &'static str,
    /// Method.
    pub(crate) method: Method,
    /// Path template.
    pub(crate) path: &'static str,
    /// OpenAPI operation id.
    pub(crate) operation_id: &'static str,
    /// One-line summary.
    pub(crate) summary: &'static str,
    /// Parameters.
    pub(crate) params: &'static [Param],
    /// What a 200 answers.
    pub(crate) response: Response,
    /// The handler.
    pub(crate) handler: ErasedHandler,
}

macro_rules! gather_routes {
    ( $( $Variant:ident => $module:ty ),+ $(,)? ) => {
        /// Every listed module's routes, in list order.
        pub(crate) fn module_routes() -> Vec<ModuleRoute> {
            let mut out = Vec::new();
            $(
                for r in <$module as ModuleApi>::routes() {
                    let h = r.handler;
                    let handler: ErasedHandler = Arc::new(move |host: &dyn QueryHost, p: &Params| {
                        h(host, p).map(|reply| match reply {
                            Reply::Json(v) => Reply::Json(v),
                            Reply::Certificate(record) => Reply::Certificate(ModuleRecords::$Variant(record)),
                        })
                    });
                    out.push(ModuleRoute {
                        module: <$module as Module>::NAME,
                        method: r.method,
                        path: r.path,
                        operation_id: r.operation_id,
                        summary: r.summary,
                        params: r.params,
                        response: r.response,
                        handler,
                    });
                }
            )+
            out
        }
    };
}

hechain_modules::for_each_module!(gather_routes);

/// What a module handler reads: a committed snapshot and the page limit.
struct Snapshot<'a> {
    reader: &'a StoreReader,
    head: BlockInfo,
    max_page: usize,
}

impl QueryHost for Snapshot<'_> {
    fn state(&self) -> &dyn StateScan {
        self.reader
    }

    fn head(&self) -> BlockInfo {
        self.head
    }

    fn max_page(&self) -> usize {
        self.max_page
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::BadRequest { code, message } => ApiError::bad_request(code, message),
            QueryError::NotFound { code, message } => ApiError::not_found(code, message),
            QueryError::State(e) => e.into(),
        }
    }
}

/// The axum handler of a module route.
pub(crate) fn method_router(route: &ModuleRoute) -> MethodRouter<AppState> {
    let route = route.clone();
    match route.method {
        Method::Get => get(
            move |State(st): State<AppState>,
                  path: Result<Path<HashMap<String, String>>, PathRejection>,
                  query: Result<Query<HashMap<String, String>>, QueryRejection>| {
                let route = route.clone();
                async move { serve(st, route, path, query).await }
            },
        ),
    }
}

async fn serve(
    st: AppState,
    route: ModuleRoute,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult {
    let Path(path) = path.map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))?;
    let Query(query) = query
        .map_err(|e| ApiError::bad_request("invalid_query", format!("invalid query string: {}", e.body_text())))?;
    // A query parameter the route does not take is refused (a typo must not pass silently).
    if let Some(unknown) = query.keys().find(|k| !route.params.iter().any(|p| p.at == ParamIn::Query && p.name == *k)) {
        let known: Vec<String> =
            route.params.iter().filter(|p| p.at == ParamIn::Query).map(|p| format!("`{}`", p.name)).collect();
        let expected = if known.is_empty() { "none".to_string() } else { known.join(", ") };
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("invalid query string: unknown field `{unknown}`, expected {expected}"),
        ));
    }
    let mut params = BTreeMap::new();
    for p in route.params {
        let given = match p.at {
            ParamIn::Path => path.get(p.name),
            ParamIn::Query => query.get(p.name),
        };
        if let Some(v) = given {
            p.check(v)?;
            params.insert(p.name, v.clone());
        }
    }
    let params = Params(params);
    let ctx = st.ctx;
    blocking(move || {
        let reader = ctx.store.reader()?;
        let header = reader.head()?;
        let head = BlockInfo {
            suite: ctx.genesis.suite(),
            genesis_hash: ctx.genesis.hash(),
            height: header.height,
            timestamp_ms: header.timestamp_ms,
        };
        let host = Snapshot { reader: &reader, head, max_page: ctx.config.max_page };
        match (route.handler)(&host, &params)? {
            Reply::Json(v) => Ok(axum::Json(v)),
            Reply::Certificate(record) => {
                let what = format!("{} record", record.kind());
                certify(&ctx, &reader, hechain_execution::certificate::CertifiedRecord::Module(Box::new(record)), &what)
            }
        }
    })
    .await
}

/// The OpenAPI operation of a module route: its parameters and 200 schema from the route, the
/// API's error bodies for 400, 404, 500 (and 503 for certificates, not yet sealed).
pub(crate) fn operation(route: &ModuleRoute, c: &mut crate::openapi::Schemas) -> utoipa::openapi::path::Operation {
    use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ContentBuilder, ObjectBuilder, Required, ResponseBuilder, Type};

    let params = route
        .params
        .iter()
        .map(|p| {
            let schema = match p.kind {
                ParamKind::Id => crate::openapi::int(1),
                ParamKind::Count => crate::openapi::int(0),
                ParamKind::Address => crate::openapi::reg::<hechain_types::Address>(c),
                ParamKind::Hash => crate::openapi::reg::<hechain_types::H256>(c),
                ParamKind::Text => {
                    ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(256)).into()
                }
            };
            ParameterBuilder::new()
                .name(p.name)
                .parameter_in(match p.at {
                    ParamIn::Path => ParameterIn::Path,
                    ParamIn::Query => ParameterIn::Query,
                })
                .required(if p.required || p.at == ParamIn::Path { Required::True } else { Required::False })
                .description(Some(p.description))
                .schema(Some(schema))
                .build()
        })
        .collect::<Vec<_>>();
    let (ok, errors): (_, &[u16]) = match route.response {
        Response::Json(schema) => (schema(c), &[400, 401, 404, 429, 500]),
        Response::Certificate => {
            (crate::openapi::reg::<crate::schema::RecordCertificateDoc>(c), &[400, 401, 404, 429, 500, 503])
        }
    };
    let error = crate::openapi::reg::<crate::schema::ErrorBody>(c);
    let mut b = OperationBuilder::new()
        .operation_id(Some(route.operation_id))
        .summary(Some(route.summary))
        .tag(route.module)
        .parameters(Some(params))
        .response(
            "200",
            ResponseBuilder::new()
                .description("Success.")
                .content("application/json", ContentBuilder::new().schema(Some(ok)).build())
                .build(),
        );
    for &status in errors {
        let r = ResponseBuilder::new()
            .description(crate::openapi::error_description(status))
            .content("application/json", ContentBuilder::new().schema(Some(error.clone())).build());
        b = b.response(status.to_string(), r.build());
    }
    b.build()
}
