//! Deterministic gzip on every core: the stream is cut into pieces of
//! [`PIECE`] bytes, each compressed on its own as one gzip member (as
//! `pigz --independent` does), and the members are written in order. A
//! file of concatenated members is a valid gzip file (RFC 1952, section
//! 2.2): `gzip -d`, `tar -xz` and Python's `gzip` and `tarfile` read it
//! whole. The bytes depend only on the input, never on the number of
//! cores or the timing.
//!
//! A piece that does not compress (already compressed or random data) is
//! stored at level 0 rather than run through the expensive levels for
//! nothing; which pieces those are is decided from their content alone.

use std::io::{self, Write};

use flate2::{Compression, GzBuilder};
use rayon::prelude::*;

/// Bytes compressed as one member.
pub const PIECE: usize = 1 << 20;
/// Pieces held before they are compressed together, two per core (memory:
/// about twice this many pieces).
fn batch() -> usize {
    2 * rayon::current_num_threads().max(1)
}
/// The sample that decides whether a piece compresses.
const SAMPLE: usize = 64 * 1024;

/// A writer that gzips what it is given, a batch of pieces at a time, into `out`.
pub struct ParallelGz<W: Write> {
    out: W,
    current: Vec<u8>,
    pending: Vec<Vec<u8>>,
}

impl<W: Write> ParallelGz<W> {
    /// Gzips into `out`.
    pub fn new(out: W) -> ParallelGz<W> {
        ParallelGz { out, current: Vec::with_capacity(PIECE), pending: Vec::new() }
    }

    /// Compresses what is left and returns `out`. Empty input gives one
    /// empty member, as `gzip` writes for an empty file.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.current.is_empty() || self.pending.is_empty() {
            let last = std::mem::take(&mut self.current);
            self.pending.push(last);
        }
        self.compress_pending()?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn compress_pending(&mut self) -> io::Result<()> {
        let members: Vec<io::Result<Vec<u8>>> = self.pending.par_iter().map(|piece| member(piece)).collect();
        self.pending.clear();
        for m in members {
            self.out.write_all(&m?)?;
        }
        Ok(())
    }
}

impl<W: Write> Write for ParallelGz<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = PIECE - self.current.len();
        let taken = buf.len().min(room);
        self.current.extend_from_slice(&buf[..taken]);
        if self.current.len() == PIECE {
            let full = std::mem::replace(&mut self.current, Vec::with_capacity(PIECE));
            self.pending.push(full);
            if self.pending.len() >= batch() {
                self.compress_pending()?;
            }
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One piece as a gzip member: no file name, mtime 0.
fn member(piece: &[u8]) -> io::Result<Vec<u8>> {
    let level = if compresses(piece) { Compression::default() } else { Compression::none() };
    let mut encoder = GzBuilder::new().mtime(0).write(Vec::with_capacity(piece.len() / 2 + 64), level);
    encoder.write_all(piece)?;
    encoder.finish()
}

/// Whether the start of a piece shrinks by at least 3% at the fastest level.
fn compresses(piece: &[u8]) -> bool {
    let sample = &piece[..piece.len().min(SAMPLE)];
    if sample.len() < 512 {
        return true;
    }
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::with_capacity(sample.len()), Compression::fast());
    let size = encoder.write_all(sample).and_then(|()| encoder.finish()).map_or(sample.len(), |c| c.len());
    size * 100 < sample.len() * 97
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn gzip(data: &[u8], writes: usize) -> Vec<u8> {
        let mut gz = ParallelGz::new(Vec::new());
        for chunk in data.chunks(data.len().div_ceil(writes).max(1)) {
            gz.write_all(chunk).unwrap();
        }
        gz.finish().unwrap()
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
        out
    }

    /// Bytes that do not compress, from a fixed seed.
    fn noise(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn members_read_back_whole_and_do_not_depend_on_how_bytes_arrive() {
        let mut data = b"hello world\n".repeat(300_000);
        data.extend(noise(3 * PIECE + 17));
        let one = gzip(&data, 1);
        assert_eq!(one, gzip(&data, 97), "the same bytes however they are written");
        assert_eq!(gunzip(&one), data);
    }

    #[test]
    fn incompressible_pieces_are_stored() {
        let data = noise(2 * PIECE);
        let gz = gzip(&data, 1);
        assert!(gz.len() > data.len(), "stored, with a few bytes of framing");
        assert!(gz.len() < data.len() + 1024);
        assert_eq!(gunzip(&gz), data);
    }

    #[test]
    fn empty_input_is_one_empty_member() {
        let gz = gzip(&[], 1);
        assert_eq!(gunzip(&gz), Vec::<u8>::new());
        assert!(!gz.is_empty());
    }
}
