import ArgumentParser
import Datasets
import Engine
import Foundation
import Importers
import Pickle
import Ranking
import Reports
import SearchSpace
import Store
import Study
import Supernet
import Training

/// The program's exit statuses, one per class of outcome (README, "Exit codes"): what the user should do next
/// differs per class, so scripts can tell them apart.
enum ExitStatus: Int32, CaseIterable {
    case done = 0
    /// Something failed that another command line would not fix: a database error, a diverged training, failed jobs.
    case failure = 1
    /// The command line cannot work: an unknown option or command, a bad value, an unknown architecture, dataset,
    /// split, hp or seed, an invalid configuration. The message names the value and what is valid.
    case usage = 2
    /// An input file or the stored state is corrupt, malformed or conflicts with what the command asks.
    case badInput = 3
    /// Something the command needs is absent: a file or folder, the imported benchmark, a run, a checkpoint, a ground truth.
    case missingData = 4
    /// Stopped by SIGINT / SIGTERM at a safe point (nothing lost; the same command resumes).
    case interrupted = 130
    case terminated = 143

    var code: ExitCode { ExitCode(rawValue) }

    /// The class of a library error.
    static func of(_ error: Error) -> ExitStatus {
        switch error {
        case let e as StoreError: of(e)
        case is DatabaseError: .failure
        case let e as DatasetError:
            switch e {
            case .missingFile, .unavailableSplit: .missingData
            default: .badInput
            }
        case is PickleError, is RecordError: .badInput
        case is ArchError: .usage
        case let e as CheckpointError: of(e)
        case let e as SupernetError:
            switch e {
            case .invalidConfiguration: .usage
            case let .checkpoint(c): of(c)
            }
        case let e as TrainingError:
            switch e {
            case .invalidConfiguration: .usage
            case .diverged: .failure
            }
        case let e as StudyError:
            switch e {
            case .invalidPlan: .usage
            case .missingGroundTruth: .missingData
            case .failedJobs: .failure
            }
        case let e as RankingError:
            switch e {
            case .tooFewItems, .lengthMismatch, .nanScore, .constantScores: .badInput
            default: .usage
            }
        case let e as GroundTruthRankingError:
            switch e {
            case .noOverlap: .missingData
            case .invalidTopK: .usage
            }
        case let e as EstimatorSourceError:
            switch e {
            case .csv: .badInput
            case .unknownBaseline: .usage
            }
        default: .failure
        }
    }

    static func of(_ error: StoreError) -> ExitStatus {
        switch error {
        case .unknownArchitecture, .indexOutOfRange, .unknownDataset, .unknownSplit, .splitNotStored, .unknownHP, .unknownSeed,
             .ambiguous, .notReadOnly, .invalidValue:
            .usage
        case .notADatabase, .newerSchema, .csv, .conflictingValue, .corruptValue: .badInput
        case .fileUnreadable, .noData, .emptyBenchmark: .missingData
        case .cannotWrite: .failure
        }
    }

    static func of(_ error: CheckpointError) -> ExitStatus {
        switch error {
        case let .unreadable(path, _): FileManager.default.fileExists(atPath: path) ? .badInput : .missingData
        case .corrupt, .configurationMismatch: .badInput
        case .writeFailed: .failure
        }
    }
}
