// The VaultUnsealer scenarios on real OpenBao: a three-node raft cluster on loopback.
import { unsealerScenarios } from "./unsealer-scenarios.js";

unsealerScenarios("real");
