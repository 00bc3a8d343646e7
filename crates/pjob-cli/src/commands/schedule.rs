//! The order a set's jobs start in (SPEC section 8): a job starts when
//! every job it depends on has completed; when one ends any other way, the
//! jobs downstream of it are skipped, and the rest go on. Bookkeeping only:
//! running the jobs is the caller's (`apply` and `apply --local`, up to
//! `--max-concurrent` at once).

use std::collections::HashMap;

/// Where a job of the set is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Waiting for jobs it depends on.
    Waiting,
    /// Handed out by [`Schedule::ready`].
    Started,
    /// Ended; `ok` when it completed.
    Ended {
        /// Whether it completed.
        ok: bool,
    },
    /// Never started: a job it depends on did not complete.
    Skipped {
        /// Which upstream job, and how it ended.
        because: String,
    },
}

struct Node {
    upstream: Vec<usize>,
    downstream: Vec<usize>,
    state: State,
}

/// The jobs of a set by index, and the dependencies between them.
pub struct Schedule {
    names: Vec<String>,
    nodes: Vec<Node>,
}

impl Schedule {
    /// A schedule for jobs given as `(name, names of the jobs it depends on)`;
    /// names outside the set are ignored (the set was checked).
    pub fn new(jobs: &[(String, Vec<String>)]) -> Schedule {
        let index: HashMap<&str, usize> = jobs.iter().enumerate().map(|(i, (n, _))| (n.as_str(), i)).collect();
        let mut nodes: Vec<Node> = jobs
            .iter()
            .map(|(_, ups)| Node {
                upstream: ups.iter().filter_map(|u| index.get(u.as_str()).copied()).collect(),
                downstream: Vec::new(),
                state: State::Waiting,
            })
            .collect();
        for i in 0..nodes.len() {
            for u in nodes[i].upstream.clone() {
                nodes[u].downstream.push(i);
            }
        }
        Schedule { names: jobs.iter().map(|(n, _)| n.clone()).collect(), nodes }
    }

    /// The waiting jobs everything of which has completed, now marked started.
    pub fn ready(&mut self) -> Vec<usize> {
        let ready: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                self.nodes[i].state == State::Waiting
                    && self.nodes[i].upstream.iter().all(|&u| self.nodes[u].state == State::Ended { ok: true })
            })
            .collect();
        for &i in &ready {
            self.nodes[i].state = State::Started;
        }
        ready
    }

    /// Records how job `i` ended (`how` says it, for the skipped). When it
    /// did not complete, every job downstream of it that has not started is
    /// skipped; returns those, with the reason.
    pub fn ended(&mut self, i: usize, ok: bool, how: &str) -> Vec<(usize, String)> {
        self.nodes[i].state = State::Ended { ok };
        let mut skipped = Vec::new();
        if ok {
            return skipped;
        }
        let because = format!("upstream {} {how}", self.names[i]);
        let mut next = self.nodes[i].downstream.clone();
        while let Some(d) = next.pop() {
            if self.nodes[d].state == State::Waiting {
                self.nodes[d].state = State::Skipped { because: because.clone() };
                skipped.push((d, because.clone()));
                next.extend(self.nodes[d].downstream.iter().copied());
            }
        }
        skipped.sort_unstable();
        skipped
    }

    /// Job `i`'s state.
    #[cfg(test)]
    pub fn state(&self, i: usize) -> &State {
        &self.nodes[i].state
    }

    /// The names of the jobs `i` waits for that have not completed (none
    /// once it has started, ended or been skipped).
    pub fn waiting_for(&self, i: usize) -> Vec<&str> {
        if self.nodes[i].state != State::Waiting {
            return Vec::new();
        }
        let open = |&&u: &&usize| self.nodes[u].state != State::Ended { ok: true };
        self.nodes[i].upstream.iter().filter(open).map(|&u| self.names[u].as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Schedule {
        let s = |v: &str| v.to_string();
        Schedule::new(&[(s("prep"), vec![]), (s("other"), vec![]), (s("feat"), vec![s("prep")]), (s("eval"), vec![s("feat"), s("prep")])])
    }

    #[test]
    fn a_job_starts_when_everything_it_depends_on_completed() {
        let mut s = chain();
        assert_eq!(s.ready(), [0, 1]);
        assert_eq!(s.ready(), Vec::<usize>::new(), "started jobs are handed out once");
        assert!(s.ended(0, true, "Completed").is_empty());
        assert_eq!(s.ready(), [2]);
        assert_eq!(s.waiting_for(3), ["feat"]);
        s.ended(2, true, "Completed");
        assert_eq!(s.ready(), [3]);
    }

    #[test]
    fn a_failed_job_skips_everything_downstream_and_nothing_else() {
        let mut s = chain();
        s.ready();
        let skipped = s.ended(0, false, "Failed");
        assert_eq!(skipped, [(2, "upstream prep Failed".to_string()), (3, "upstream prep Failed".to_string())]);
        assert_eq!(s.state(3), &State::Skipped { because: "upstream prep Failed".into() });
        assert_eq!(s.state(1), &State::Started, "the others go on");
        assert!(s.ready().is_empty());
        assert!(s.waiting_for(3).is_empty(), "a skipped job waits for nothing");
    }
}
