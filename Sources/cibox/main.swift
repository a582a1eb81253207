// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxCommands

await Entrypoint.main()
