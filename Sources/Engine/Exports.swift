// Engine code and its users draw from the project-wide seeded generator (module Support).
@_exported import Support
