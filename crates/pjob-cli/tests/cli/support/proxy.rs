//! A fault-injecting HTTP proxy in front of moto, for what moto cannot
//! play: jobs that run for a while, fail or are stopped, throttling, server
//! errors, lost answers, answers that never come and slow responses, AWS's
//! per-API rate limits ([`limits`]), the logs of running jobs
//! ([`logs`]) and SageMaker Pipelines executions ([`pipelines`]). It records every request so tests can count calls and read
//! the exact bodies pjob sent.
//!
//! One request per connection (`Connection: close` both ways); bodies with
//! `Content-Length` or chunked; `Expect: 100-continue` answered.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

mod limits;
mod logs;
mod pipelines;

pub use logs::{LogPlay, message as log_message};
pub use pipelines::step as pipeline_step;

/// A request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The operation: `CreateProcessingJob`, `GetLogEvents`,
    /// `GetCallerIdentity`, or `S3 <METHOD>` for S3.
    pub operation: String,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

/// What to do instead of (or besides) forwarding. Errors are answered in
/// the protocol of the service called (JSON, STS's XML, S3's XML).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this HTTP status and AWS error code; moto never sees the call.
    Error(u16, &'static str),
    /// Forward the call, then answer with this status and error code
    /// (the call happened; the client cannot know).
    ErrorAfterForward(u16, &'static str),
    /// Forward the call, then close the connection without answering.
    DropAfterForward,
    /// Wait, then forward.
    Delay(Duration),
    /// Forward the call, then keep the connection open without answering
    /// until the client gives up (the call happened; the client waits).
    HoldAfterForward,
}

/// Longest a held connection is kept open.
const HOLD_LIMIT: Duration = Duration::from_secs(300);

/// How DescribeProcessingJob answers for one job are rewritten.
#[derive(Debug, Clone)]
struct Script {
    /// Statuses to answer, one per describe; the last one repeats.
    steps: Vec<(String, Option<String>)>,
    /// Only rewrite while moto says `Completed` (so a real stop shows).
    only_over_completed: bool,
}

#[derive(Default)]
struct State {
    faults: Vec<(String, Fault, usize)>,
    scripts: HashMap<String, Script>,
    seen: Vec<Seen>,
    limits: limits::RateLimits,
    /// Jobs without a script run for this many describes, then show moto's status.
    run_length: Option<usize>,
    /// Describes answered (200) per job.
    described: HashMap<String, usize>,
    logs: Option<LogPlay>,
    /// Fill DescribeProcessingJob answers with what the job was created with.
    describe_as_created: bool,
    pipelines: pipelines::PipelinePlay,
}

impl State {
    /// How many of its lines a job has written: a share per describe while
    /// it runs, all once it has ended.
    fn visible_lines(&self, job: &str, lines: usize) -> usize {
        let described = self.described.get(job).copied().unwrap_or(0);
        match self.run_length {
            Some(run) if described <= run => lines * described / (run + 1),
            _ if described == 0 => 0,
            _ => lines,
        }
    }
}

/// The running proxy.
pub struct Proxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream` (`http://host:port`),
    /// on a thread of its own (so blocking test code does not stall it).
    pub fn start(upstream: &str) -> Proxy {
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
                tx.send(listener.local_addr().expect("address")).expect("report address");
                loop {
                    let Ok((client, _)) = listener.accept().await else { continue };
                    let (state, upstream) = (shared.clone(), upstream.clone());
                    tokio::spawn(async move {
                        let _ = serve(client, &upstream, &state).await;
                    });
                }
            });
        });
        let addr = rx.recv().expect("proxy address");
        Proxy { addr, state }
    }

    /// The endpoint URL to give pjob.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers DescribeProcessingJob with every field the job was created
    /// with (through this proxy), as SageMaker does: moto leaves out
    /// `Environment` and `ProcessingResources`. Tags stay out, as in
    /// SageMaker's answer.
    pub fn describe_as_created(&self) {
        self.lock().describe_as_created = true;
    }

    /// Injects a fault into the next `times` calls of `operation`.
    pub fn fault(&self, operation: &str, fault: Fault, times: usize) {
        self.lock().faults.push((operation.to_string(), fault, times));
    }

    /// Makes DescribeProcessingJob answer these statuses (with failure
    /// reasons) for a job, one per call, the last one repeating.
    pub fn script(&self, job: &str, steps: &[(&str, Option<&str>)]) {
        let steps = steps.iter().map(|(s, r)| (s.to_string(), r.map(str::to_string))).collect();
        self.lock().scripts.insert(job.to_string(), Script { steps, only_over_completed: false });
    }

    /// Makes a job look `InProgress` until [`Proxy::release`] (moto creates
    /// jobs `Completed`); a real stop still shows.
    pub fn hold_running(&self, job: &str) {
        let script = Script { steps: vec![("InProgress".into(), None)], only_over_completed: true };
        self.lock().scripts.insert(job.to_string(), script);
    }

    /// Limits `operation` to `rate` calls a second (a burst of one second's
    /// worth), answering calls over it with AWS's throttling error.
    pub fn rate_limit(&self, operation: &str, rate: f64) {
        self.lock().limits.set(operation, rate);
    }

    /// Calls of `operation` answered with throttling so far.
    pub fn refused(&self, operation: &str) -> usize {
        self.lock().limits.refused(operation)
    }

    /// Makes every job without a script look `InProgress` for its first
    /// `describes` describes (after it exists), then shows moto's status.
    pub fn run_every_job(&self, describes: usize) {
        self.lock().run_length = Some(describes);
    }

    /// Answers CloudWatch Logs calls with the lines of running jobs (see [`logs`]).
    pub fn play_logs(&self, play: LogPlay) {
        self.lock().logs = Some(play);
    }

    /// Makes DescribePipelineExecution answer these statuses (with failure
    /// reasons) for the executions of `pipeline`, one per call, the last one
    /// repeating (moto says `Succeeded` at once).
    pub fn pipeline_statuses(&self, pipeline: &str, statuses: &[(&str, Option<&str>)]) {
        self.lock().pipelines.set_statuses(pipeline, statuses);
    }

    /// Answers ListPipelineExecutionSteps (which moto lacks) for the
    /// executions of `pipeline` with these lists of [`pipeline_step`]s, one
    /// per call, the last one repeating.
    pub fn pipeline_steps(&self, pipeline: &str, lists: &[serde_json::Value]) {
        self.lock().pipelines.set_steps(pipeline, lists);
    }

    /// Lets a job's real status through again.
    pub fn release(&self, job: &str) {
        self.lock().scripts.remove(job);
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Requests of one operation seen so far.
    pub fn calls(&self, operation: &str) -> Vec<Seen> {
        self.lock().seen.iter().filter(|s| s.operation == operation).cloned().collect()
    }

    /// Describe calls seen for one job.
    pub fn describes_of(&self, job: &str) -> usize {
        self.calls("DescribeProcessingJob").iter().filter(|s| job_name(&s.body).as_deref() == Some(job)).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An HTTP message: head lines and body.
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The message with a new body, framed with Content-Length and `Connection: close`.
    fn encode(&self, keep_length: bool) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.start);
        for (k, v) in &self.headers {
            let k_lower = k.to_ascii_lowercase();
            if ["connection", "transfer-encoding", "expect", "keep-alive"].contains(&k_lower.as_str())
                || (k_lower == "content-length" && !keep_length)
            {
                continue;
            }
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if !keep_length {
            out.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

async fn serve(mut client: TcpStream, upstream: &str, state: &Mutex<State>) -> std::io::Result<()> {
    let request = read_request(&mut client).await?;
    let operation = operation(&request);
    let protocol = Protocol::of(&request);
    if let Some(answer) = answer_here(state, &operation, &request) {
        return client.write_all(&answer).await;
    }
    let fault = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let found = s.faults.iter_mut().find(|(op, _, n)| *op == operation && *n > 0);
        found.map(|(_, fault, n)| {
            *n -= 1;
            fault.clone()
        })
    };
    match &fault {
        Some(Fault::Error(status, code)) => return client.write_all(&error_response(protocol, *status, code, INJECTED)).await,
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }
    let is_head = request.start.starts_with("HEAD ");
    let mut response = exchange(upstream, &request.encode(false)).await?;
    match &fault {
        Some(Fault::ErrorAfterForward(status, code)) => return client.write_all(&error_response(protocol, *status, code, INJECTED)).await,
        Some(Fault::DropAfterForward) => return Ok(()),
        Some(Fault::HoldAfterForward) => return hold(client).await,
        _ => {}
    }
    if operation == "DescribeProcessingJob"
        && let Some(job) = job_name(&request.body)
    {
        rewrite_describe(state, &job, &mut response);
    }
    if operation == "DescribePipelineExecution" {
        rewrite_execution(state, &request, &mut response);
    }
    if operation == "DescribePipeline" {
        definition_as_text(state, upstream, &request, &mut response).await?;
    }
    client.write_all(&response.encode(is_head)).await?;
    client.shutdown().await
}

/// Sends one request upstream on a connection of its own and reads the answer.
async fn exchange(upstream: &str, request: &[u8]) -> std::io::Result<Message> {
    let mut conn = TcpStream::connect(upstream).await?;
    conn.write_all(request).await?;
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await?;
    parse_response(&raw)
}

/// The message of injected errors.
const INJECTED: &str = "injected by the test proxy";

/// Records a request, and answers it without moto when AWS's rate limit
/// refuses it, the proxy plays its logs or a pipeline's steps, or moto
/// lacks the operation (`StopPipelineExecution`).
fn answer_here(state: &Mutex<State>, operation: &str, request: &Message) -> Option<Vec<u8>> {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.seen.push(Seen { operation: operation.to_string(), body: request.body.clone() });
    if s.limits.refuses(operation) {
        return Some(error_response(Protocol::of(request), 400, "ThrottlingException", "Rate exceeded"));
    }
    let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
    if operation == "ListPipelineExecutionSteps" {
        return s.pipelines.list_steps(&body).map(|answer| json_response(&answer));
    }
    if operation == "StopPipelineExecution" {
        // moto does not implement it: the call is recorded and answered as SageMaker does.
        return Some(json_response(&serde_json::json!({ "PipelineExecutionArn": body["PipelineExecutionArn"] })));
    }
    let play = s.logs?;
    let answer = match operation {
        "DescribeLogStreams" => play.describe_streams(&body, |job| s.described.get(job).is_some_and(|n| *n > 0)),
        "GetLogEvents" => play.get_events(&body, |job| s.visible_lines(job, play.lines)),
        _ => return None,
    };
    Some(json_response(&answer))
}

/// A 200 answer with a JSON body, as SageMaker and CloudWatch Logs send it.
fn json_response(body: &serde_json::Value) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: proxy\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Keeps a connection open, answering nothing, until the client closes it
/// (or [`HOLD_LIMIT`] passes).
async fn hold(mut client: TcpStream) -> std::io::Result<()> {
    let mut sink = [0u8; 1024];
    let drain = async {
        while client.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    };
    let _ = tokio::time::timeout(HOLD_LIMIT, drain).await;
    Ok(())
}

/// Applies a job's script to a DescribeProcessingJob answer.
fn rewrite_describe(state: &Mutex<State>, job: &str, response: &mut Message) {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    if response.start.split(' ').nth(1) != Some("200") {
        return;
    }
    let described = {
        let n = s.described.entry(job.to_string()).or_default();
        *n += 1;
        *n
    };
    let Ok(mut answer) = serde_json::from_slice::<serde_json::Value>(&response.body) else { return };
    if s.describe_as_created {
        fill_as_created(&s.seen, job, &mut answer);
        response.body = serde_json::to_vec(&answer).unwrap_or_default();
    }
    let run_length = s.run_length;
    let Some(script) = s.scripts.get_mut(job) else {
        if run_length.is_some_and(|run| described <= run) {
            answer["ProcessingJobStatus"] = serde_json::Value::String("InProgress".into());
            response.body = serde_json::to_vec(&answer).unwrap_or_default();
        }
        return;
    };
    if script.only_over_completed && answer["ProcessingJobStatus"] != "Completed" {
        return;
    }
    let (status, reason) = if script.steps.len() > 1 { script.steps.remove(0) } else { script.steps[0].clone() };
    answer["ProcessingJobStatus"] = serde_json::Value::String(status);
    if let Some(reason) = reason {
        answer["FailureReason"] = serde_json::Value::String(reason);
    }
    response.body = serde_json::to_vec(&answer).unwrap_or_default();
}

/// Applies a pipeline's scripted status to a DescribePipelineExecution answer.
fn rewrite_execution(state: &Mutex<State>, request: &Message, response: &mut Message) {
    if response.start.split(' ').nth(1) != Some("200") {
        return;
    }
    let (Ok(request), Ok(mut answer)) =
        (serde_json::from_slice::<serde_json::Value>(&request.body), serde_json::from_slice::<serde_json::Value>(&response.body))
    else {
        return;
    };
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    if s.pipelines.rewrite_describe(&request, &mut answer) {
        response.body = serde_json::to_vec(&answer).unwrap_or_default();
    }
}

/// moto answers `DescribePipeline` for a pipeline created or updated from
/// a definition in S3 with Python's rendering of it, not JSON; SageMaker
/// answers the definition's text, which the proxy reads from moto's S3 at
/// the place the latest `CreatePipeline` or `UpdatePipeline` named.
async fn definition_as_text(state: &Mutex<State>, upstream: &str, request: &Message, response: &mut Message) -> std::io::Result<()> {
    let Ok(mut answer) = serde_json::from_slice::<serde_json::Value>(&response.body) else { return Ok(()) };
    let text = answer["PipelineDefinition"].as_str().unwrap_or_default();
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        return Ok(());
    }
    let name = serde_json::from_slice::<serde_json::Value>(&request.body).ok().and_then(|r| r["PipelineName"].as_str().map(str::to_string));
    let location = {
        let s = state.lock().unwrap_or_else(|e| e.into_inner());
        let put = s.seen.iter().rev().filter(|c| c.operation == "CreatePipeline" || c.operation == "UpdatePipeline");
        let bodies = put.filter_map(|c| serde_json::from_slice::<serde_json::Value>(&c.body).ok());
        bodies.into_iter().find(|b| b["PipelineName"].as_str() == name.as_deref()).map(|b| b["PipelineDefinitionS3Location"].clone())
    };
    let Some((Some(bucket), Some(key))) = location.as_ref().map(|l| (l["Bucket"].as_str(), l["ObjectKey"].as_str())) else { return Ok(()) };
    // moto takes a request as S3's by its credential scope (and checks no signature).
    let auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
    let get = format!("GET /{bucket}/{key} HTTP/1.1\r\nHost: {upstream}\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n");
    let object = exchange(upstream, get.as_bytes()).await?;
    answer["PipelineDefinition"] = serde_json::Value::String(String::from_utf8_lossy(&object.body).into_owned());
    response.body = serde_json::to_vec(&answer).unwrap_or_default();
    Ok(())
}

/// Adds to a DescribeProcessingJob answer the fields it lacks from the
/// job's CreateProcessingJob request (tags aside).
fn fill_as_created(seen: &[Seen], job: &str, answer: &mut serde_json::Value) {
    let created = seen.iter().rev().find(|s| s.operation == "CreateProcessingJob" && job_name(&s.body).as_deref() == Some(job));
    let Some(serde_json::Value::Object(request)) = created.and_then(|s| serde_json::from_slice(&s.body).ok()) else { return };
    let Some(answer) = answer.as_object_mut() else { return };
    for (field, value) in request {
        if field != "Tags" && !answer.contains_key(&field) {
            answer.insert(field, value);
        }
    }
}

/// The AWS operation of a request.
fn operation(request: &Message) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    if let Some(action) = query_action(request) {
        return action;
    }
    format!("S3 {}", request.start.split(' ').next().unwrap_or_default())
}

/// The `Action` of an AWS query request (STS).
fn query_action(request: &Message) -> Option<String> {
    String::from_utf8_lossy(&request.body).split('&').find_map(|kv| kv.strip_prefix("Action=")).map(str::to_string)
}

/// `ProcessingJobName` of a JSON request body.
fn job_name(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["ProcessingJobName"].as_str().map(str::to_string)
}

/// How a service writes its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// JSON with `__type` (SageMaker, CloudWatch Logs).
    Json,
    /// AWS query: an XML `ErrorResponse` (STS).
    Query,
    /// S3's XML `Error`.
    S3,
}

impl Protocol {
    fn of(request: &Message) -> Protocol {
        if request.header("x-amz-target").is_some() {
            Protocol::Json
        } else if query_action(request).is_some() {
            Protocol::Query
        } else {
            Protocol::S3
        }
    }
}

/// An error answer in the request's protocol, as the service would write it.
fn error_response(protocol: Protocol, status: u16, code: &str, message: &str) -> Vec<u8> {
    let (content_type, body) = match protocol {
        Protocol::Json => ("application/x-amz-json-1.1", format!(r#"{{"__type":"{code}","message":"{message}"}}"#)),
        Protocol::Query => (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
            ),
        ),
        Protocol::S3 => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>proxy</RequestId></Error>"
            ),
        ),
    };
    format!(
        "HTTP/1.1 {status} Injected\r\nContent-Type: {content_type}\r\nx-amzn-ErrorType: {code}\r\nx-amzn-RequestId: proxy\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Message> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let (start, headers) = parse_head(&buf[..head_end]);
    let mut message = Message { start, headers, body: Vec::new() };
    let mut rest = buf[head_end + 4..].to_vec();
    if message.header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
    }
    if message.header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        loop {
            if let Some(body) = dechunk(&rest) {
                message.body = body;
                break;
            }
            let mut chunk = [0u8; 65536];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            rest.extend_from_slice(&chunk[..n]);
        }
    } else {
        let len: usize = message.header("content-length").and_then(|v| v.trim().parse().ok()).unwrap_or(0);
        while rest.len() < len {
            let mut chunk = vec![0u8; (len - rest.len()).min(1 << 20)];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        rest.truncate(len);
        message.body = rest;
    }
    Ok(message)
}

fn parse_response(raw: &[u8]) -> std::io::Result<Message> {
    let head_end = find(raw, b"\r\n\r\n").ok_or(std::io::ErrorKind::InvalidData)?;
    let (start, headers) = parse_head(&raw[..head_end]);
    let mut message = Message { start, headers, body: Vec::new() };
    let rest = &raw[head_end + 4..];
    message.body = if message.header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        dechunk(rest).ok_or(std::io::ErrorKind::InvalidData)?
    } else {
        rest.to_vec()
    };
    Ok(message)
}

fn parse_head(head: &[u8]) -> (String, Vec<(String, String)>) {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let start = lines.next().unwrap_or_default().to_string();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    (start, headers)
}

/// The body of a complete chunked message, or `None` if more is needed.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            // Trailers, then the final CRLF.
            find(data, b"\r\n")?;
            return Some(body);
        }
        if data.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
