import Hummingbird

/// `/api/scripts`: which bot version runs per instance of the caller's
/// company, and reloading that company's bots (never another's, SPEC §6).
struct ScriptRoutes {
    let service: any InboxService

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("scripts") { _, context in
            try Response.json(PageJSON(items: try await service.scripts(for: context.requireTenant()), next_cursor: nil))
        }
        group.post("scripts/reload") { _, context in
            try Response.json(PageJSON(items: try await service.reloadScripts(for: context.requireTenant()), next_cursor: nil))
        }
    }
}
