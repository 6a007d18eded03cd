// The VaultUnsealer scenarios on the backend SEALBRIDGE_BACKEND names (default: the Vault test server).
import { backendFromEnv } from "../../vault/seal-backend.js";
import { unsealerScenarios } from "./unsealer-scenarios.js";

unsealerScenarios(backendFromEnv());
