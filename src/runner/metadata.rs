//! The task metadata endpoint (`ECS_CONTAINER_METADATA_URI_V4`) on loopback.
//! Stage: runner. Input: live tasks. Output: JSON at `${URI}` (container),
//! `${URI}/task`, `${URI}/stats` and `${URI}/task/stats`, with the field names
//! ECS gives. Invariant: a URI names one task and container; unknown ones 404.

use super::state::{ContainerStatus, TaskStatus};
use super::task::Task;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

pub struct Metadata {
    tasks: Mutex<BTreeMap<String, Arc<Task>>>,
    addr: SocketAddr,
}

impl Metadata {
    /// Binds the endpoint on 127.0.0.1 (a free port) and serves it.
    pub async fn start() -> std::io::Result<Arc<Metadata>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let me = Arc::new(Metadata {
            tasks: Mutex::new(BTreeMap::new()),
            addr: listener.local_addr()?,
        });
        tokio::spawn(serve(listener, me.clone()));
        Ok(me)
    }

    /// The value of `ECS_CONTAINER_METADATA_URI_V4` for one container.
    pub fn uri(&self, task_id: &str, container: &str) -> String {
        format!("http://{}/v4/{task_id}/{container}", self.addr)
    }

    pub fn base(&self) -> String {
        format!("http://{}/v4", self.addr)
    }

    pub fn register(&self, task: &Arc<Task>) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(task.spec.id.clone(), task.clone());
    }

    pub fn unregister(&self, id: &str) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    fn answer(&self, path: &str) -> Option<Value> {
        let mut parts = path.trim_start_matches('/').split('/');
        if parts.next()? != "v4" {
            return None;
        }
        let task_id = parts.next()?;
        let container = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        let task = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(task_id)?
            .clone();
        task.def.container(container)?;
        match rest.as_slice() {
            [] => container_json(&task, container),
            ["task"] => Some(task_json(&task)),
            ["stats"] => Some(stats_json(&task, container)),
            ["task", "stats"] => {
                let view = task.view();
                Some(Value::Object(
                    view.containers
                        .iter()
                        .map(|c| (docker_id(&task, &c.name), stats_json(&task, &c.name)))
                        .collect(),
                ))
            }
            _ => None,
        }
    }
}

fn docker_id(task: &Task, container: &str) -> String {
    format!("{}-{}", task.spec.id, container)
}

fn arn(task: &Task) -> String {
    format!("arn:aws:ecs:local:000000000000:task/wharf/{}", task.spec.id)
}

fn known(status: ContainerStatus) -> &'static str {
    match status {
        ContainerStatus::Pending => "PENDING",
        ContainerStatus::Running => "RUNNING",
        ContainerStatus::Stopped => "STOPPED",
    }
}

fn container_json(task: &Task, name: &str) -> Option<Value> {
    let view = task.view();
    let c = view.containers.iter().find(|c| c.name == name)?;
    let def = task.def.container(name)?;
    let mut v = json!({
        "DockerId": docker_id(task, name),
        "Name": name,
        "DockerName": format!("ecs-{}-{}", task.spec.family, name),
        "Image": def.image,
        "ImageID": "",
        "Labels": {
            "com.amazonaws.ecs.cluster": "wharf-local",
            "com.amazonaws.ecs.container-name": name,
            "com.amazonaws.ecs.task-arn": arn(task),
            "com.amazonaws.ecs.task-definition-family": task.spec.family,
        },
        "DesiredStatus": if view.desired_status == TaskStatus::Stopped { "STOPPED" } else { "RUNNING" },
        "KnownStatus": known(c.status),
        "Limits": { "CPU": 0, "Memory": 0 },
        "Type": "NORMAL",
        "ContainerARN": format!("arn:aws:ecs:local:000000000000:container/wharf/{}/{}", task.spec.id, name),
        "Networks": [{
            "NetworkMode": "awsvpc",
            "IPv4Addresses": [task.spec.address.to_string()],
        }],
    });
    if let Some(code) = c.exit_code {
        v["ExitCode"] = json!(code);
    }
    if def.health_check.is_some() {
        v["Health"] = json!({ "status": format!("{:?}", c.health).to_uppercase() });
    }
    Some(v)
}

fn task_json(task: &Task) -> Value {
    let view = task.view();
    let containers: Vec<Value> = view
        .containers
        .iter()
        .filter_map(|c| container_json(task, &c.name))
        .collect();
    json!({
        "Cluster": "wharf-local",
        "TaskARN": arn(task),
        "Family": task.spec.family,
        "Revision": "1",
        "ServiceName": task.spec.service,
        "DesiredStatus": view.desired_status.as_str(),
        "KnownStatus": view.last_status.as_str(),
        "Containers": containers,
        "LaunchType": "FARGATE",
        "AvailabilityZone": "local",
    })
}

fn stats_json(task: &Task, name: &str) -> Value {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    json!({
        "read": ts,
        "name": name,
        "id": docker_id(task, name),
        "cpu_stats": { "cpu_usage": { "total_usage": 0 } },
        "memory_stats": { "usage": 0 },
    })
}

async fn serve(listener: TcpListener, meta: Arc<Metadata>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let meta = meta.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let meta = meta.clone();
                async move {
                    let (status, body) = match meta.answer(req.uri().path()) {
                        Some(v) => (StatusCode::OK, v.to_string()),
                        None => (
                            StatusCode::NOT_FOUND,
                            "{\"error\":\"unknown task or container\"}".to_string(),
                        ),
                    };
                    let mut resp = Response::new(Full::new(Bytes::from(body)));
                    *resp.status_mut() = status;
                    resp.headers_mut().insert(
                        "content-type",
                        hyper::header::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, std::convert::Infallible>(resp)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
