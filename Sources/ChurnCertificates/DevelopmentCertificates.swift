internal import Crypto
public import Foundation
internal import SwiftASN1
internal import X509

/// A development PKI: one CA, a node certificate for servers and a client certificate for callers,
/// all ECDSA P-256, as PEM. For development machines, tests and the demo; production certificates
/// come from the organisation's own CA.
///
/// ```swift
/// let pki = try DevelopmentCertificates.make()
/// let files = try pki.write(to: "certs")     // keys 0600, in a 0700 folder
/// ```
public struct DevelopmentCertificates: Sendable {
    /// One certificate and its private key, as PEM.
    public struct Identity: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String
    }

    /// Where ``write(to:)`` put each file.
    public struct Files: Sendable, Hashable {
        public var caCertificate: String
        public var caPrivateKey: String
        public var nodeCertificate: String
        public var nodePrivateKey: String
        public var clientCertificate: String
        public var clientPrivateKey: String
    }

    /// The CA every other certificate chains to.
    public var ca: Identity
    /// The server (node) certificate: server and client authentication (nodes call each other).
    public var node: Identity
    /// The caller's certificate: client authentication only.
    public var client: Identity

    /// Mints a new CA and the certificates it signs.
    ///
    /// - Parameters:
    ///   - nodeNames: DNS names the node certificate is valid for. Default `localhost`.
    ///   - nodeAddresses: IP addresses it is valid for. Default `127.0.0.1`; note that any IP entry
    ///     lets a client that connects by that address accept the certificate whatever name it expected.
    ///   - clientName: the client certificate's common name, which identifies the caller.
    ///   - validDays: how long the certificates are valid. Default 365.
    /// - Throws: ``CertificateError`` for a name or address that cannot go in a certificate.
    public static func make(
        nodeNames: [String] = ["localhost"],
        nodeAddresses: [String] = ["127.0.0.1"],
        clientName: String = "churnguard-client",
        validDays: Int = 365,
        now: Date = Date()
    ) throws(CertificateError) -> DevelopmentCertificates {
        do {
            let notBefore = now.addingTimeInterval(-3600)
            let notAfter = now.addingTimeInterval(Double(validDays) * 86_400)
            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName {
                OrganizationName("ChurnGuard")
                CommonName("ChurnGuard development CA")
            }
            let caCertificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(caKey.publicKey),
                notValidBefore: notBefore,
                notValidAfter: notAfter,
                issuer: caName,
                subject: caName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey)
            )

            var alternativeNames = nodeNames.map { GeneralName.dnsName($0) }
            for address in nodeAddresses {
                alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: try Self.addressBytes(address)[...])))
            }
            let node = try Self.leaf(
                commonName: nodeNames.first ?? "churnguard-node",
                alternativeNames: alternativeNames,
                usages: [.serverAuth, .clientAuth],
                issuer: caName,
                issuerKey: caKey,
                notBefore: notBefore,
                notAfter: notAfter
            )
            let client = try Self.leaf(
                commonName: clientName,
                alternativeNames: [],
                usages: [.clientAuth],
                issuer: caName,
                issuerKey: caKey,
                notBefore: notBefore,
                notAfter: notAfter
            )
            return DevelopmentCertificates(
                ca: Identity(
                    certificatePEM: try caCertificate.serializeAsPEM().pemString,
                    privateKeyPEM: caKey.pemRepresentation
                ),
                node: node,
                client: client
            )
        } catch let error as CertificateError {
            throw error
        } catch {
            throw CertificateError("cannot make the development certificates: \(error)")
        }
    }

    private static func leaf(
        commonName: String,
        alternativeNames: [GeneralName],
        usages: [ExtendedKeyUsage.Usage],
        issuer: DistinguishedName,
        issuerKey: P256.Signing.PrivateKey,
        notBefore: Date,
        notAfter: Date
    ) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("ChurnGuard")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage(usages)
                if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey)
        )
        return Identity(
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: key.pemRepresentation
        )
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address.
    static func addressBytes(_ address: String) throws(CertificateError) -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        throw CertificateError("'\(address)' is not an IPv4 or IPv6 address")
    }
}
