import CLuaGlue
import Testing

/// The Lua allocator's small-block cache (lr_pool.c): Lua's allocator contract on top of malloc.
@Suite struct PoolTests {
    /// Fills `size` bytes with a pattern derived from `seed`.
    static func fill(_ block: UnsafeMutableRawPointer, _ size: Int, seed: UInt8) {
        for i in 0..<size { block.storeBytes(of: seed &+ UInt8(truncatingIfNeeded: i), toByteOffset: i, as: UInt8.self) }
    }

    static func holds(_ block: UnsafeMutableRawPointer, _ size: Int, seed: UInt8) -> Bool {
        (0..<size).allSatisfy { block.load(fromByteOffset: $0, as: UInt8.self) == seed &+ UInt8(truncatingIfNeeded: $0) }
    }

    @Test func freedSmallBlocksAreReusedWithinTheirClass() throws {
        var pool = lr_pool()
        defer { lr_pool_drain(&pool) }
        let a = try #require(lr_pool_realloc(&pool, nil, 0, 40))
        _ = lr_pool_realloc(&pool, a, 40, 0)
        #expect(pool.cached == 48, "kept at its class size")
        let b = try #require(lr_pool_realloc(&pool, nil, 0, 33))
        #expect(b == a, "a block of the same class comes back")
        #expect(pool.cached == 0)
        let c = try #require(lr_pool_realloc(&pool, nil, 0, 16))
        #expect(c != a, "another class is not served from it")
        _ = lr_pool_realloc(&pool, b, 33, 0)
        _ = lr_pool_realloc(&pool, c, 16, 0)
    }

    @Test func resizingKeepsTheBytesAcrossClassesAndMalloc() throws {
        var pool = lr_pool()
        defer { lr_pool_drain(&pool) }
        // 20 -> 30 (same class, same block) -> 100 -> 4000 (malloc) -> 5000 -> 200 -> 8 -> freed.
        var size = 20
        var block = try #require(lr_pool_realloc(&pool, nil, 0, size))
        Self.fill(block, size, seed: 7)
        for next in [30, 100, 4000, 5000, 200, 8] {
            let moved = try #require(lr_pool_realloc(&pool, block, size, next))
            if next == 30 { #expect(moved == block) }
            #expect(Self.holds(moved, min(size, next), seed: 7), "\(size) -> \(next)")
            Self.fill(moved, next, seed: 7)
            (block, size) = (moved, next)
        }
        _ = lr_pool_realloc(&pool, block, size, 0)
    }

    @Test func theCacheStaysWithinItsBound() throws {
        var pool = lr_pool()
        defer { lr_pool_drain(&pool) }
        let blocks = try (0..<2000).map { _ in try #require(lr_pool_realloc(&pool, nil, 0, 64)) }
        for block in blocks { _ = lr_pool_realloc(&pool, block, 64, 0) }
        #expect(pool.cached <= Int(LR_POOL_KEEP))
        #expect(pool.cached > Int(LR_POOL_KEEP) - 64)
        lr_pool_drain(&pool)
        #expect(pool.cached == 0)
    }
}
