//! The global allocator: mimalloc, asked for plain blocks whenever the
//! alignment a type needs is one every block has anyway.
//!
//! The `mimalloc` crate passes every request to `mi_malloc_aligned`. For
//! the small, word-aligned strings and vectors the tool makes by the
//! million, that takes a detour through mimalloc's aligned path, which
//! checks the free block's address and, when a page has no free block at
//! hand, falls back to a generic aligned allocation. `mi_malloc` gives the
//! same blocks without either; the standard library's system allocator
//! makes the same choice for `malloc`.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

/// The alignment of every block `mi_malloc` returns of at least this many
/// bytes (mimalloc's `MI_MAX_ALIGN_SIZE`); a smaller block is aligned to
/// the largest power of two that divides its size, as for `malloc`.
const PLAIN_ALIGN: usize = 16;

/// mimalloc, with plain requests for plain alignments.
pub struct Allocator;

/// True when a plain block of `size` bytes is aligned enough.
fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every block comes from mimalloc with at least the alignment the
// layout asks for (see `plain`), and goes back to it through `mi_free`,
// which takes blocks of either kind.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the layout's size is not zero, as `GlobalAlloc` requires
        // of callers; mimalloc takes any size.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new
        // block keeps the alignment, plain or not, that the layout needs.
        unsafe {
            if plain(layout.align(), new_size) {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills a block with a pattern that tells its bytes apart.
    ///
    /// # Safety
    /// `p` must be valid for `size` bytes.
    unsafe fn fill(p: *mut u8, size: usize) {
        for i in 0..size {
            // SAFETY: `i < size`.
            unsafe { *p.add(i) = i as u8 }
        }
    }

    /// Blocks of every size and alignment the tool could ask for come back
    /// aligned, keep their bytes when grown or shrunk, and are zeroed when
    /// asked.
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes() {
        let a = Allocator;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 17, 100, 1024, 1025, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: every layout has a non-zero size; each block is
                // used within its size and freed once, with its layout.
                unsafe {
                    let zeroed = a.alloc_zeroed(layout);
                    assert!(!zeroed.is_null());
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} by {align}");
                    assert!((0..size).all(|i| *zeroed.add(i) == 0));
                    a.dealloc(zeroed, layout);

                    for new_size in [size * 3, size.div_ceil(2)] {
                        let p = a.alloc(layout);
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "{size} by {align}");
                        fill(p, size);
                        let q = a.realloc(p, layout, new_size);
                        assert!(!q.is_null());
                        assert_eq!(q as usize % align, 0, "{size} to {new_size} by {align}");
                        let kept = size.min(new_size);
                        assert!((0..kept).all(|i| *q.add(i) == i as u8));
                        a.dealloc(q, Layout::from_size_align(new_size, align).unwrap());
                    }
                }
            }
        }
    }
}
