// The seal-lifecycle scenarios on the backend SEALBRIDGE_BACKEND names (default: the Vault test server).
import { backendFromEnv } from "./seal-backend.js";
import { unsealScenarios } from "./unseal-scenarios.js";

unsealScenarios(backendFromEnv());
