import Logging

/// What a reload did.
public enum ReloadOutcome: Sendable, Equatable {
    /// The new generation serves; `routes` routes, some perhaps kept at their previous version.
    case reloaded(routes: Int)
    /// A project-level error (conflicting routes, bad config, ROOT gone): the previous
    /// generation keeps serving.
    case failed(String)
}
