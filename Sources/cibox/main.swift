// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxCommands

#if canImport(Glibc)
    import Glibc
#endif

// Answered on the main thread, before Swift's concurrency starts (see Entrypoint.answerAtOnce).
if let status = Entrypoint.answerAtOnce() { exit(status) }
await Entrypoint.main()
