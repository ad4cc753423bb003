import CLua
import CLuaShim

/// A module's text as the host found it for `require`.
public struct LuaModule: Sendable, Equatable {
    /// The Lua source; bytecode is refused when it is compiled.
    public var code: String
    /// The name errors and tracebacks show, e.g. `vendas/pricing.lua`.
    public var chunk: String

    public init(code: String, chunk: String) {
        self.code = code
        self.chunk = chunk
    }
}

/// Where a state's `require` finds modules. The sandbox validates the name
/// (letters, digits, `_`, `-`, dots between folder names), compiles the text
/// with the state's globals as its environment and caches the result per
/// state, out of scripts' reach; the resolver only maps a name to text.
public struct LuaModuleResolver {
    /// The places `resolve` looks, in order, for the not-found message, e.g.
    /// `["vendas/", "_shared/"]`.
    public var searchedPlaces: [String]
    /// The module called `name` (`"crm.triggers"`), or nil when none of the
    /// places has it. Runs during a call, so it must not call into the state.
    public var resolve: (_ name: String) -> LuaModule?

    public init(searchedPlaces: [String], resolve: @escaping (_ name: String) -> LuaModule?) {
        self.searchedPlaces = searchedPlaces
        self.resolve = resolve
    }

    /// `module 'x' not found in vendas/ or _shared/`.
    func notFoundMessage(_ name: String) -> String {
        guard let last = searchedPlaces.last else { return "module '\(name)' not found: this state has no modules" }
        let places = searchedPlaces.count == 1 ? last : searchedPlaces.dropLast().joined(separator: ", ") + " or " + last
        return "module '\(name)' not found in \(places)"
    }
}

extension LuaState {
    /// Answers the sandbox's request for a module's text: pushes code and chunk
    /// name (returns 1) or the not-found message (returns 0).
    func pushModuleSource(named name: String) -> Int32 {
        guard let resolver = moduleResolver else {
            pushString("module '\(name)' not found: this state has no modules")
            return 0
        }
        guard let module = resolver.resolve(name) else {
            pushString(resolver.notFoundMessage(name))
            return 0
        }
        pushString(module.code)
        pushString(module.chunk)
        return 1
    }
}
