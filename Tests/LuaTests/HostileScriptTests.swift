import Lua
import XCTest

/// Scripts that try to escape the sandbox or exhaust the host. Each must end
/// with its own clear error; then the hostile state answers a normal call,
/// gives its memory back, and another state handles a normal event correctly.
final class HostileScriptTests: XCTestCase {
    private func assertContained(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let script = try HostileScript(named: name)
        let neighbour = try NormalBot()
        let state = try LuaState(limits: HostileScript.limits)
        state.moduleResolver = LuaModuleResolver(searchedPlaces: ["hostile/", "_shared/"]) { _ in nil }
        let entry = try state.load(script.code, chunk: script.chunk)
        state.collectGarbage()
        let baseline = state.memoryInUse

        let outcome = BoundedRun.run(within: 30) { () -> Result<[LuaValue], LuaError> in
            Result { () throws(LuaError) -> [LuaValue] in try state.call(entry) }
        }
        switch outcome {
        case nil:
            return XCTFail("\(name) still runs after 30 s: it escaped its budget", file: file, line: line)
        case .success(let results)?:
            XCTFail("\(name) ended normally with \(results)", file: file, line: line)
        case .failure(let error)?:
            XCTAssertEqual(error.kind, script.kind, "\(name): \(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(script.message), "\(name): \(error)", file: file, line: line)
            if let expected = script.line {
                XCTAssertEqual(error.chunk, script.chunk, "\(name): \(error)", file: file, line: line)
                XCTAssertEqual(error.line, expected, "\(name): \(error)", file: file, line: line)
            }
        }

        let followUp = try state.load("return 40 + 2", chunk: "follow-up")
        XCTAssertEqual(try state.call(followUp), [.integer(42)], "\(name): the state stays usable", file: file, line: line)
        state.release(entry)
        state.release(followUp)
        state.collectGarbage()
        XCTAssertLessThan(state.memoryInUse, baseline + 64 << 10,
                          "\(name): memory after collection \(state.memoryInUse), baseline \(baseline)", file: file, line: line)
        try neighbour.assertHandlesAMessage(file: file, line: line)
    }

    func test_loopPlain() throws { try assertContained("loop_plain") }
    func test_loopInsidePcall() throws { try assertContained("loop_inside_pcall") }
    func test_loopCaughtAndReturned() throws { try assertContained("loop_caught_and_returned") }
    func test_loopInCoroutine() throws { try assertContained("loop_in_coroutine") }
    func test_loopResumingDeadCoroutines() throws { try assertContained("loop_resuming_dead_coroutines") }
    func test_loopInIndexMetamethod() throws { try assertContained("loop_in_index_metamethod") }
    func test_loopInTostringMetamethod() throws { try assertContained("loop_in_tostring_metamethod") }
    func test_loopInGsubCallback() throws { try assertContained("loop_in_gsub_callback") }
    func test_loopInSortComparator() throws { try assertContained("loop_in_sort_comparator") }
    func test_loopInXpcallHandler() throws { try assertContained("loop_in_xpcall_handler") }
    func test_loopInCloseAfterStop() throws { try assertContained("loop_in_close_after_stop") }
    func test_loopInErrorObjectTostring() throws { try assertContained("loop_in_error_object_tostring") }
    func test_loopInCloseOfStoppedWrap() throws { try assertContained("loop_in_close_of_stopped_wrap") }
    func test_loopInCloseOfStoppedCoroutine() throws { try assertContained("loop_in_close_of_stopped_coroutine") }
    func test_loopInCloseOfNestedCoroutines() throws { try assertContained("loop_in_close_of_nested_coroutines") }
    func test_loopInXpcallHandlerInCoroutine() throws { try assertContained("loop_in_xpcall_handler_in_coroutine") }
    func test_gcMetamethodRefused() throws { try assertContained("gc_metamethod_refused") }
    func test_errorThrownAsTable() throws { try assertContained("error_thrown_as_table") }
    func test_errorThrownAsFunction() throws { try assertContained("error_thrown_as_function") }
    func test_errorThrownAsNil() throws { try assertContained("error_thrown_as_nil") }
    func test_memoryTableGrowth() throws { try assertContained("memory_table_growth") }
    func test_memoryStringDoubling() throws { try assertContained("memory_string_doubling") }
    func test_memoryDeepNesting() throws { try assertContained("memory_deep_nesting") }
    func test_memoryBombInsidePcall() throws { try assertContained("memory_bomb_inside_pcall") }
    func test_memoryManyLargeStrings() throws { try assertContained("memory_many_large_strings") }
    func test_memoryCoroutineSwarm() throws { try assertContained("memory_coroutine_swarm") }
    func test_stringRepHuge() throws { try assertContained("string_rep_huge") }
    func test_stringRepEmptyEndless() throws { try assertContained("string_rep_empty_endless") }
    func test_patternBacktracking() throws { try assertContained("pattern_backtracking") }
    func test_patternLazyChain() throws { try assertContained("pattern_lazy_chain") }
    func test_patternBalanceUnbalanced() throws { try assertContained("pattern_balance_unbalanced") }
    func test_patternBackReference() throws { try assertContained("pattern_back_reference") }
    func test_patternGmatchBacktracking() throws { try assertContained("pattern_gmatch_backtracking") }
    func test_patternGsubBacktracking() throws { try assertContained("pattern_gsub_backtracking") }
    func test_patternTooComplexInALoop() throws { try assertContained("pattern_too_complex_in_a_loop") }
    func test_patternSubjectTooLong() throws { try assertContained("pattern_subject_too_long") }
    func test_patternTooLong() throws { try assertContained("pattern_too_long") }
    func test_plainFindInALoop() throws { try assertContained("plain_find_in_a_loop") }
    func test_recursionThroughMetamethods() throws { try assertContained("recursion_through_metamethods") }
    func test_recursionDeepLua() throws { try assertContained("recursion_deep_lua") }
    func test_recursionThroughCoroutines() throws { try assertContained("recursion_through_coroutines") }
    func test_ioAbsent() throws { try assertContained("io_absent") }
    func test_osExecuteAbsent() throws { try assertContained("os_execute_absent") }
    func test_osExitAbsent() throws { try assertContained("os_exit_absent") }
    func test_debugAbsent() throws { try assertContained("debug_absent") }
    func test_packageLoadlibAbsent() throws { try assertContained("package_loadlib_absent") }
    func test_requireCModule() throws { try assertContained("require_c_module") }
    func test_requirePathEscape() throws { try assertContained("require_path_escape") }
    func test_dofileAbsent() throws { try assertContained("dofile_absent") }
    func test_loadBytecode() throws { try assertContained("load_bytecode") }
    func test_loadReaderFunction() throws { try assertContained("load_reader_function") }
    func test_loadHugeCodeRepeatedly() throws { try assertContained("load_huge_code_repeatedly") }
    func test_loadDeepNesting() throws { try assertContained("load_deep_nesting") }
    func test_stringDumpAbsent() throws { try assertContained("string_dump_absent") }
    func test_stringMetatableHijack() throws { try assertContained("string_metatable_hijack") }
    func test_stringLibraryOverwrite() throws { try assertContained("string_library_overwrite") }
    func test_stringLibraryRawset() throws { try assertContained("string_library_rawset") }
    func test_globalTampering() throws { try assertContained("global_tampering") }
    func test_collectgarbageStop() throws { try assertContained("collectgarbage_stop") }
    func test_tableMoveEndless() throws { try assertContained("table_move_endless") }
    func test_tableConcatCMetamethod() throws { try assertContained("table_concat_c_metamethod") }
    func test_tableInsertWithLen() throws { try assertContained("table_insert_with_len") }
    func test_sortWithCComparator() throws { try assertContained("sort_with_c_comparator") }
    func test_sortWithRawequal() throws { try assertContained("sort_with_rawequal") }
    func test_tableInsertAtFront() throws { try assertContained("table_insert_at_front") }
    func test_tableRemoveAtFront() throws { try assertContained("table_remove_at_front") }
    func test_stringUpperHuge() throws { try assertContained("string_upper_huge") }
    func test_utf8LenHuge() throws { try assertContained("utf8_len_huge") }
    func test_stringPackHuge() throws { try assertContained("string_pack_huge") }
    func test_tonumberHuge() throws { try assertContained("tonumber_huge") }
    func test_cyclicValueReturned() throws { try assertContained("cyclic_value_returned") }
    func test_functionValueReturned() throws { try assertContained("function_value_returned") }

    /// Every script in `Hostile/` has its test above.
    func test_everyHostileScriptIsCovered() throws {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Hostile", withExtension: nil))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".lua") }.map { String($0.dropLast(4)) }
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        XCTAssertGreaterThanOrEqual(names.count, 30)
        for name in names { XCTAssertTrue(source.contains("assertContained(\"\(name)\")"), "\(name).lua has no test") }
    }
}
