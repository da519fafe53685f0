public import Testing

/// A trait that sets something up around each test case of what it marks (a suite's every test,
/// or one test's every argument), not once around the suite.
public protocol TestCaseScoping: TestTrait, SuiteTrait, TestScoping {
    /// Runs one test case's `function` inside the scope.
    func provideScope(forTestCase function: @Sendable () async throws -> Void) async throws
}

extension TestCaseScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        // A suite's own scope wraps its tests' scopes: the work is run in the test cases'.
        guard testCase != nil else { return try await function() }
        try await self.provideScope(forTestCase: function)
    }
}
