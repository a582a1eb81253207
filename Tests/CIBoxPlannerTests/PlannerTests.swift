// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxPlanner
import Testing
