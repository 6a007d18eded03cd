// The seal-lifecycle scenarios on real OpenBao: a three-node raft cluster on loopback.
import { unsealScenarios } from "./unseal-scenarios.js";

unsealScenarios("real");
