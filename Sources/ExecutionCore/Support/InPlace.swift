// Reading large arrays of model values without copying their elements. Iterating an array (or
// comparing elements of `self` inside a mutating method) copies each element out; a task is
// several hundred bytes with a dozen strings to retain, so at 10,000 tasks those copies were a tenth of
// a write (docs/benchmarks.md). Elements read through a buffer pointer are borrowed instead.

extension Array where Element: Equatable {
    /// The indices below both counts where `self` and `other` hold different elements.
    /// Arrays that share their storage (a copy not written to since) are not compared at all,
    /// and elements with the same bits (the same strings and lists, shared since a copy) are
    /// equal without `==`, which copies a task out to compare it.
    func indicesDiffering(from other: [Element]) -> [Int] {
        withUnsafeBufferPointer { mine in
            other.withUnsafeBufferPointer { theirs in
                if mine.baseAddress == theirs.baseAddress { return [] }
                return (0..<Swift.min(mine.count, theirs.count)).filter { i in
                    !Bytes.equal(mine.baseAddress! + i, theirs.baseAddress! + i, count: MemoryLayout<Element>.size) && !(mine[i] == theirs[i])
                }
            }
        }
    }
}

extension Array {
    /// Calls `body` with each element in place, in order.
    func forEachInPlace(_ body: (Element) throws -> Void) rethrows {
        try withUnsafeBufferPointer { elements in
            for i in elements.indices { try body(elements[i]) }
        }
    }

    /// Whether `predicate` holds for every element, each read in place.
    func allInPlace(_ predicate: (Element) throws -> Bool) rethrows -> Bool {
        try withUnsafeBufferPointer { elements in
            for i in elements.indices where try !predicate(elements[i]) { return false }
            return true
        }
    }
}
